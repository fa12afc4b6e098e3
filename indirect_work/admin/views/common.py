"""The admin blueprint and its form helpers: every route needs the admin permission (checked once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, g, redirect, render_template, request
from flask_login import current_user

from indirect_work.admin.forms import show_errors
from indirect_work.core.errors import DomainError, ValidationFailed
from indirect_work.core.permissions import Permission, has_permission
from indirect_work.core.transactions import attempt
from indirect_work.extensions import login_manager

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
    """On a valid POST create (``obj`` is None) or update ``obj``, flash and redirect; the commit point saves.

    Returns None when the form must be shown again: not submitted, invalid, or refused by the
    service (its messages are then next to the fields).
    """
    if not form.validate_on_submit():
        return None
    if obj is None:
        obj, error = attempt(create, form.data)
    else:
        _changes, error = attempt(update, obj, form.data)
    if error is not None:
        show_refusal(form, error)
        return None
    flash(message(obj), "success")  # type: ignore[arg-type]
    return redirect(target(obj))  # type: ignore[arg-type]


def show_refusal(form: Any, error: DomainError) -> None:
    """Show a service's validation refusal next to the fields; any other refusal is answered as before."""
    if not isinstance(error, ValidationFailed):
        raise error
    show_errors(form, error)
