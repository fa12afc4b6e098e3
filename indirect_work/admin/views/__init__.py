"""The admin blueprint: every route needs the admin permission (checked once, before any view)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from indirect_work.admin.forms import show_errors
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.permissions import Permission, has_permission
from indirect_work.extensions import db, login_manager

T = TypeVar("T")
bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="../templates")


@bp.before_request
def admins_only() -> Any:
    """Signed out: the sign-in page; signed in without the admin permission: 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not has_permission(current_user, Permission.ADMIN):
        abort(403)
    g.nav_section = "admin.index"
    return None


@bp.get("/")
def index() -> Any:
    """The admin landing page with what can be kept here."""
    from indirect_work.audit.models import AuditEvent
    from indirect_work.auth.models import User
    from indirect_work.org.models import Organisation, Team
    from indirect_work.taxonomy.models import ActivityType

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    counts = {
        "types": count(ActivityType, ActivityType.is_active.is_(True)),
        "organisations": count(Organisation),
        "teams": count(Team, Team.is_active.is_(True)),
        "people": count(User, User.is_active.is_(True)),
        "events": count(AuditEvent),
    }
    return render_template("admin/index.html", counts=counts)


def form_page(template: str, form: Any, **context: Any) -> Any:
    """Render a form page: 422 after a failed POST, so clients can tell."""
    return render_template(template, form=form, **context), 422 if request.method == "POST" else 200


def save_form(
    form: Any,
    obj: T | None,
    create: Callable[[dict[str, Any]], T],
    update: Callable[[T, dict[str, Any]], Any],
    message: Callable[[T], str],
    target: Callable[[T], str],
) -> Any | None:
    """On a valid POST create (``obj`` is None) or update ``obj``, commit, flash and redirect.

    Returns None when the form must be shown again: not submitted, invalid, or refused by the
    service (its messages are then next to the fields).
    """
    if not form.validate_on_submit():
        return None
    try:
        if obj is None:
            obj = create(form.data)
        else:
            update(obj, form.data)
    except ValidationFailed as exc:
        show_errors(form, exc)
        return None
    db.session.commit()
    flash(message(obj), "success")
    return redirect(target(obj))


from indirect_work.admin.views import audit, organisations, people, taxonomy  # noqa: E402,F401
