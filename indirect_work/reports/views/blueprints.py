"""The two blueprints of reports, defined apart from their routes so every view module can share them."""

from __future__ import annotations

from flask import Blueprint, g

# Templates live in reports/templates, one level up from the views.
bp = Blueprint("reports", __name__, template_folder="../templates")
commissioning_bp = Blueprint(
    "commissioning", __name__, url_prefix="/commissioner-reports", template_folder="../templates"
)


@bp.before_request
def _mark_section() -> None:
    g.nav_section = "reports.dashboard"


@commissioning_bp.before_request
def _mark_commissioning_section() -> None:
    g.nav_section = "commissioning.index"
