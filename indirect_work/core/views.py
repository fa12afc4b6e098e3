"""Home (sends each role to its starting page) and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from indirect_work.core.navigation import start_endpoint
from indirect_work.core.transactions import discard_broken_session
from indirect_work.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def home() -> Any:
    """Send the user to the first page their role uses."""
    endpoint = start_endpoint(current_user)
    if endpoint:
        return redirect(url_for(endpoint))
    return render_template("core/no_role.html")


@bp.get("/healthz")
def healthz() -> Any:
    """200 with the database status, or 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok")
    except Exception:  # noqa: BLE001 - any failure means "unavailable"
        discard_broken_session()
        return jsonify(status="unavailable", database="unreachable"), 503
