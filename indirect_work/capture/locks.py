"""Month locks: a lead locks a checked month for their team; unlocking needs a reason. Both are audited.

Records in a locked month are read-only to everyone but admins. The lock service lives here, beside
the ``MonthLock`` model, because the capture rules enforce it in every entry path through
:func:`locked_month`; the reports pages only show and change it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from indirect_work.audit.models import AuditEvent
from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.capture.models import MonthLock
from indirect_work.core.dates import format_month, month_start
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import Permission, can_view_team, has_permission
from indirect_work.extensions import db
from indirect_work.org.models import Team

REASON_MAX = 500
LOCK_ACTIONS = ("month.lock", "month.unlock")


def can_lock_team(user: User, team_id: int) -> bool:
    """Admins lock any team's months; a lead locks the months of the teams they lead."""
    return has_permission(user, Permission.MONTH_LOCK) and can_view_team(user, team_id)


def locked_month(team_id: int, day: date) -> MonthLock | None:
    """The active lock covering ``day`` for the team, if any (every capture entry path asks this)."""
    return db.session.scalar(
        select(MonthLock).where(
            MonthLock.team_id == team_id, MonthLock.month == month_start(day), MonthLock.is_locked.is_(True)
        )
    )


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


def user_names(user_ids: Sequence[int | None]) -> dict[int, str]:
    """Full names of the given users, for showing who locked and unlocked."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
