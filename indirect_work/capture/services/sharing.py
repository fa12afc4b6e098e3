"""Co-delivered sessions: colleagues added to a record, each one's own minutes, removals.

The record's creator adds colleagues who delivered the same session, chosen from the clinicians of
the record's team (one of the creator's teams), and may remove them until the month is locked. A
co-deliverer sees the record, changes only their own minutes and may remove themselves. Every
change is audited. How shared sessions count: ``capture/counting.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.models import Activity, ActivityDeliverer
from indirect_work.capture.rules import check_record_unlocked
from indirect_work.core.errors import PermissionDenied, ValidationFailed
from indirect_work.core.permissions import can_edit_activity, can_remove_co_deliverer, is_co_deliverer
from indirect_work.core.roles import Role
from indirect_work.extensions import db

#: Most colleagues one record can name besides its creator.
MAX_CO_DELIVERERS = 10
FIELD = "co_deliverers"
NOT_A_COLLEAGUE = "Choose colleagues from the clinicians of the team this is logged for"


@dataclass(frozen=True)
class CoDeliverer:
    """A colleague to add and their own minutes (``None``: the session's duration)."""

    clinician_id: int
    minutes: int | None = None


def colleagues(actor: User, team_ids: set[int] | None = None) -> list[tuple[User, frozenset[int]]]:
    """Active clinicians of the actor's teams (or of ``team_ids`` among them) and their teams there."""
    teams = actor.clinician_team_ids if team_ids is None else actor.clinician_team_ids & team_ids
    if not teams:
        return []
    rows = db.session.execute(
        select(User, RoleAssignment.team_id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == Role.CLINICIAN,
            RoleAssignment.team_id.in_(sorted(teams)),
            User.is_active.is_(True),
            User.id != actor.id,
        )
        .order_by(User.full_name, User.id)
    )
    found: dict[int, tuple[User, set[int]]] = {}
    for user, team_id in rows:
        found.setdefault(user.id, (user, set()))[1].add(int(team_id or 0))
    return [(user, frozenset(ids)) for user, ids in found.values()]


def check_co_deliverers(
    *, creator: User, team_id: int, duration: int, wanted: Sequence[CoDeliverer], existing: frozenset[int]
) -> list[tuple[int, int]]:
    """``(clinician_id, minutes)`` of each colleague to add, or ``ValidationFailed`` on ``co_deliverers``."""
    errors: list[str] = []
    allowed = {user.id for user, _teams in colleagues(creator, {team_id})}
    seen: set[int] = set()
    result: list[tuple[int, int]] = []
    for item in wanted:
        minutes = duration if item.minutes is None else item.minutes
        if item.clinician_id == creator.id:
            errors.append("You are already a deliverer of this session")
        elif item.clinician_id in seen or item.clinician_id in existing:
            errors.append("Each colleague can be added once")
        elif item.clinician_id not in allowed:
            errors.append(NOT_A_COLLEAGUE)
        elif not 1 <= minutes <= 1440:
            errors.append("A colleague's time must be between 1 and 1440 minutes")
        seen.add(item.clinician_id)
        result.append((item.clinician_id, minutes))
    if len(seen | existing) > MAX_CO_DELIVERERS:
        errors.append(f"At most {MAX_CO_DELIVERERS} colleagues can share one session")
    if errors:
        errors = list(dict.fromkeys(errors))
        raise ValidationFailed({FIELD: errors}, message=errors[0])
    return result


def check_team_keeps_co_deliverers(activity: Activity, team_id: int) -> None:
    """A shared session moves only to a team every co-deliverer is a clinician of (``team_id`` refused)."""
    if team_id == activity.team_id or not activity.co_deliverers:
        return
    allowed = {user.id for user, _teams in colleagues(activity.clinician, {team_id})}
    if activity.co_deliverer_ids - allowed:
        message = "A colleague who delivered this session is not in that team; remove them first"
        raise ValidationFailed({"team_id": [message]}, message=message)


def add_co_deliverers(*, actor: User, activity: Activity, wanted: Sequence[CoDeliverer]) -> None:
    """Add colleagues to a record the actor may edit (its creator, or an admin)."""
    if not can_edit_activity(actor, activity):
        raise PermissionDenied("Only the person who logged this session can add colleagues")
    _check_unlocked(actor, activity)
    creator = db.session.get(User, activity.clinician_id)
    assert creator is not None
    checked = check_co_deliverers(
        creator=creator,
        team_id=activity.team_id,
        duration=activity.duration_minutes,
        wanted=wanted,
        existing=activity.co_deliverer_ids,
    )
    record_added(actor, activity, checked)


def record_added(actor: User, activity: Activity, parts: Sequence[tuple[int, int]]) -> None:
    """Write checked co-deliverers' parts onto a flushed record and audit each one."""
    for clinician_id, minutes in parts:
        activity.co_deliverers.append(
            ActivityDeliverer(clinician_id=clinician_id, minutes=minutes, added_by_id=actor.id)
        )
        _audit("activity.co_deliverer.add", actor, activity, clinician_id, minutes=minutes)
    if parts:
        db.session.flush()


def remove_co_deliverer(*, actor: User, activity: Activity, clinician_id: int) -> None:
    """Take a colleague off a record: the creator any, a co-deliverer themselves, until the month locks."""
    if not can_remove_co_deliverer(actor, activity, clinician_id):
        raise PermissionDenied("You can remove only yourself from a session someone else logged")
    _check_unlocked(actor, activity)
    part = activity.part_of(clinician_id)
    assert part is not None
    activity.co_deliverers.remove(part)
    _audit("activity.co_deliverer.remove", actor, activity, clinician_id, minutes=part.minutes)
    db.session.flush()


def change_own_part(*, actor: User, activity: Activity, minutes: int) -> None:
    """A co-deliverer changes their own minutes of the session (nothing else of the record)."""
    part = activity.part_of(actor.id)
    if part is None or not is_co_deliverer(actor, activity):
        raise PermissionDenied("You can change only your own part of a shared session")
    _check_unlocked(actor, activity)
    if not 1 <= minutes <= 1440:
        raise ValidationFailed({"minutes": ["Your time must be between 1 and 1440 minutes"]})
    before, part.minutes = part.minutes, minutes
    _audit("activity.co_deliverer.change", actor, activity, actor.id, minutes=[before, minutes])
    db.session.flush()


def _check_unlocked(actor: User, activity: Activity) -> None:
    errors = check_record_unlocked(actor, activity)
    if errors:
        raise ValidationFailed(errors, message=errors["activity_on"][0])


def _audit(action: str, actor: User, activity: Activity, clinician_id: int, **details: object) -> None:
    record_event(
        action,
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={"clinician_id": clinician_id, **details},
    )
