"""Opt-outs per person and kind of reminder."""

from __future__ import annotations

from sqlalchemy import delete, select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.core.roles import Role
from indirect_work.extensions import db
from indirect_work.reminders.models import KINDS, ReminderOptOut

ROLE_OF_KIND = {"weekly": Role.CLINICIAN, "month-end": Role.TEAM_LEAD, "month-ready": Role.COMMISSIONER}


def relevant_kinds(user: User) -> list[str]:
    """The kinds of reminder this person can receive, from their roles."""
    return [kind for kind in KINDS if user.has_role(ROLE_OF_KIND[kind])]


def opted_out_kinds(user: User) -> set[str]:
    return set(db.session.scalars(select(ReminderOptOut.kind).where(ReminderOptOut.user_id == user.id)))


def set_opt_outs(user: User, kinds: set[str]) -> None:
    """Replace the person's opt-outs among the kinds relevant to them; audits a change."""
    relevant = set(relevant_kinds(user))
    kinds &= relevant
    before = opted_out_kinds(user) & relevant
    if kinds == before:
        return
    db.session.execute(
        delete(ReminderOptOut).where(
            ReminderOptOut.user_id == user.id, ReminderOptOut.kind.in_(sorted(relevant))
        )
    )
    db.session.add_all(ReminderOptOut(user_id=user.id, kind=kind) for kind in sorted(kinds))
    db.session.flush()
    record_event(
        "reminders.preferences",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"opted_out": sorted(kinds), "was": sorted(before)},
    )
