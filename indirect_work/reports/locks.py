"""Month locks: a lead locks a checked month for their team; unlocking needs a reason. Both are audited.

Records in a locked month are read-only to everyone but admins; the capture services enforce that
in every entry path through ``capture.rules.locked_month``, which :func:`is_month_locked` reuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from indirect_work.audit.models import AuditEvent
from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.capture.models import MonthLock
from indirect_work.capture.rules import locked_month
from indirect_work.core.dates import format_month, month_start, parse_month
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import Permission, can_view_team, has_permission, require_permission
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.reports.dashboard import bp, get_team_for

REASON_MAX = 500
LOCK_ACTIONS = ("month.lock", "month.unlock")


# Services ---------------------------------------------------------------------------------------


def can_lock_team(user: User, team_id: int) -> bool:
    """Admins lock any team's months; a lead locks the months of the teams they lead."""
    return has_permission(user, Permission.MONTH_LOCK) and can_view_team(user, team_id)


def is_month_locked(team_id: int, day: date) -> bool:
    """Whether the team's month containing ``day`` is locked now (the capture rules' own check)."""
    return locked_month(team_id, day) is not None


def lock_states(team_id: int, months: Sequence[date]) -> dict[date, MonthLock]:
    """The lock record (locked or unlocked) of each of the team's months that has one."""
    wanted = sorted({month_start(m) for m in months})
    if not wanted:
        return {}
    locks = db.session.scalars(
        select(MonthLock).where(MonthLock.team_id == team_id, MonthLock.month.in_(wanted))
    )
    return {lock.month: lock for lock in locks}


def lock_history(team_id: int, limit: int = 20) -> list[AuditEvent]:
    """The team's latest lock and unlock events, newest first."""
    lock_ids = select(MonthLock.id).where(MonthLock.team_id == team_id)
    ids_as_text = [str(i) for i in db.session.scalars(lock_ids)]
    if not ids_as_text:
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action.in_(LOCK_ACTIONS),
                AuditEvent.object_type == "month_lock",
                AuditEvent.object_id.in_(ids_as_text),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def _lock_row(team_id: int, month: date) -> MonthLock | None:
    """The team's lock record for the month, held for update (PostgreSQL) so changes do not cross."""
    return db.session.scalar(
        select(MonthLock).where(MonthLock.team_id == team_id, MonthLock.month == month).with_for_update()
    )


def lock_month(*, user: User, team: Team, month: date, today: date | None = None) -> MonthLock:
    """Lock ``month`` for ``team``.

    :raises PermissionDenied: the user neither leads the team nor is an admin.
    :raises ValidationFailed: the month has not started yet.
    :raises Conflict: the month is already locked.
    """
    if not can_lock_team(user, team.id):
        raise PermissionDenied()
    month = month_start(month)
    if month > month_start(today or date.today()):
        raise ValidationFailed({"month": ["You can only lock a month that has started"]})
    lock = _lock_row(team.id, month)
    if lock is not None and lock.is_locked:
        raise Conflict(f"{format_month(month)} is already locked")
    if lock is None:
        lock = MonthLock(team_id=team.id, month=month)
        try:
            with db.session.begin_nested():  # two leads locking at once: the second is told, not a 500
                db.session.add(lock)
        except IntegrityError:
            raise Conflict(f"{format_month(month)} is already locked") from None
    lock.is_locked = True
    lock.locked_at = utcnow()
    lock.locked_by_id = user.id
    db.session.flush()
    record_event(
        "month.lock",
        actor=user,
        object_type="month_lock",
        object_id=lock.id,
        details={"team_id": team.id, "month": month.strftime("%Y-%m")},
    )
    return lock


def unlock_month(*, user: User, team: Team, month: date, reason: str) -> MonthLock:
    """Unlock ``month`` for ``team``, recording why.

    :raises PermissionDenied: the user neither leads the team nor is an admin.
    :raises ValidationFailed: no reason, or one longer than 500 characters.
    :raises Conflict: the month is not locked.
    """
    if not can_lock_team(user, team.id):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Enter why the month is being unlocked"]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": [f"The reason must be {REASON_MAX} characters or fewer"]})
    month = month_start(month)
    lock = _lock_row(team.id, month)
    if lock is None or not lock.is_locked:
        raise Conflict(f"{format_month(month)} is not locked")
    lock.is_locked = False
    lock.unlocked_at = utcnow()
    lock.unlocked_by_id = user.id
    lock.unlock_reason = reason
    db.session.flush()
    record_event(
        "month.unlock",
        actor=user,
        object_type="month_lock",
        object_id=lock.id,
        details={"team_id": team.id, "month": month.strftime("%Y-%m"), "reason": reason},
    )
    return lock


# Views ------------------------------------------------------------------------------------------


class LockForm(FlaskForm):
    """Only the CSRF token: the team and month are in the URL."""


class UnlockForm(FlaskForm):
    reason = TextAreaField(
        "Why are you unlocking this month?",
        description="For example, which records need correcting. This is kept in the audit log.",
        validators=[
            DataRequired("Enter why the month is being unlocked"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )


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
    try:
        lock_month(user=current_user, team=team, month=month)
    except (Conflict, ValidationFailed) as exc:
        db.session.rollback()
        flash(next(iter(exc.fields.values()))[0] if exc.fields else exc.message, "warning")
        return _back_to_dashboard(team)
    db.session.commit()
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
        try:
            unlock_month(user=current_user, team=team, month=month, reason=form.reason.data or "")
        except ValidationFailed as exc:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + exc.fields.get("reason", [])
        else:
            db.session.commit()
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


def user_names(user_ids: Sequence[int | None]) -> dict[int, str]:
    """Full names of the given users, for showing who locked and unlocked."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
