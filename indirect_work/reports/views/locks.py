"""Month lock routes on the dashboard: lock a checked month, or unlock it with a reason.

The lock service (``capture.locks``) decides and audits; these views only ask and answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from indirect_work.capture.locks import can_lock_team, lock_month, lock_states, unlock_month, user_names
from indirect_work.core.dates import format_month, parse_month
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.core.permissions import Permission, require_permission
from indirect_work.core.transactions import abandon, attempt
from indirect_work.org.models import Team
from indirect_work.reports.forms import LockForm, UnlockForm
from indirect_work.reports.views.blueprints import bp
from indirect_work.reports.views.dashboard import get_team_for


def _lockable_team_and_month(team_id: int, month_text: str) -> tuple[Team, date]:
    team = get_team_for(current_user, team_id)
    if not can_lock_team(current_user, team.id):
        abort(403)
    try:
        return team, parse_month(month_text)
    except ValueError:
        abort(404)


def _back_to_dashboard(team: Team) -> Any:
    target = request.form.get("next", "")
    if target.startswith("/dashboard/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("reports.team_dashboard", team_id=team.id, _anchor="month-locks"))


@bp.post("/dashboard/teams/<int:team_id>/months/<month_text>/lock")
@require_permission(Permission.MONTH_LOCK)
def lock(team_id: int, month_text: str) -> Any:
    """Lock a month for the team."""
    team, month = _lockable_team_and_month(team_id, month_text)
    if not LockForm().validate_on_submit():
        abort(400, "Your session expired before the month was locked. Please try again.")
    _, error = attempt(lock_month, user=current_user, team=team, month=month)
    if isinstance(error, Conflict | ValidationFailed):
        abandon()  # the refusal is answered with a redirect: nothing of this request is kept
        flash(next(iter(error.fields.values()))[0] if error.fields else error.message, "warning")
        return _back_to_dashboard(team)
    if error is not None:
        raise error
    flash(
        f"{format_month(month)} is locked for {team.name}. Only an admin can change its records now.",
        "success",
    )
    return _back_to_dashboard(team)


@bp.route("/dashboard/teams/<int:team_id>/months/<month_text>/unlock", methods=["GET", "POST"])
@require_permission(Permission.MONTH_LOCK)
def unlock(team_id: int, month_text: str) -> Any:
    """Ask for the reason, then unlock the month."""
    team, month = _lockable_team_and_month(team_id, month_text)
    form = UnlockForm()
    current = lock_states(team.id, [month]).get(month)
    if form.validate_on_submit() and current is not None and current.is_locked:
        _, error = attempt(
            unlock_month, user=current_user, team=team, month=month, reason=form.reason.data or ""
        )
        if isinstance(error, ValidationFailed):
            form.reason.errors = list(form.reason.errors) + error.fields.get("reason", [])
        elif error is not None:
            raise error
        else:
            flash(
                f"{format_month(month)} is unlocked for {team.name}. "
                "Lock it again once the records are right.",
                "success",
            )
            return redirect(url_for("reports.team_dashboard", team_id=team.id))
    status = 422 if form.errors else 200
    return render_template(
        "reports/dashboard_unlock.html",
        team=team,
        month=month,
        form=form,
        lock=current,
        users=user_names([current.locked_by_id] if current else []),
    ), status
