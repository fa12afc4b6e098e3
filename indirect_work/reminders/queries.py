"""Who is due which reminder: read-only, returning plain planned reminders (no email is composed here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, select

from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.models import Activity, MonthLock
from indirect_work.core.dates import add_months, format_month, month_end, month_start
from indirect_work.core.roles import Role
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Team
from indirect_work.reminders.models import ReminderOptOut, SentReminder
from indirect_work.reports.services import month_fully_locked

#: Month-end reminders go out in the month's last days and the first days of the next month.
MONTH_END_LAST_DAYS = 3
MONTH_END_GRACE_DAYS = 5
#: Month-ready looks back this many ended months.
READY_LOOKBACK_MONTHS = 2


@dataclass(frozen=True)
class Planned:
    """One reminder one person is due: what ``--dry-run`` prints and what is sent."""

    user_id: int
    email: str
    name: str
    kind: str
    period: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


def week_period(today: date) -> tuple[str, date]:
    """``2026-W49`` and the Monday of ``today``'s week."""
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}", today - timedelta(days=today.weekday())


def month_end_target(today: date) -> date:
    """The month the month-end reminder is about: this month in its last days, else last month."""
    if today > month_end(today) - timedelta(days=MONTH_END_LAST_DAYS):
        return month_start(today)
    return add_months(month_start(today), -1)


def month_end_due(today: date) -> bool:
    return today > month_end(today) - timedelta(days=MONTH_END_LAST_DAYS) or today.day <= MONTH_END_GRACE_DAYS


def _recipients(kind: str, role: Role) -> Select[User]:
    """Active people holding ``role`` who have not opted out of ``kind``."""
    holders = select(RoleAssignment.user_id).where(RoleAssignment.role == role.value)
    opted_out = select(ReminderOptOut.user_id).where(ReminderOptOut.kind == kind)
    return (
        select(User)
        .where(User.is_active.is_(True), User.id.in_(holders), User.id.not_in(opted_out))
        .order_by(User.id)
    )


def _already_sent(kind: str, periods: set[str]) -> set[tuple[int, str]]:
    rows = db.session.execute(
        select(SentReminder.user_id, SentReminder.period).where(
            SentReminder.kind == kind, SentReminder.period.in_(sorted(periods))
        )
    )
    return {(user_id, period) for user_id, period in rows}


def weekly_reminders(today: date) -> list[Planned]:
    """Clinicians of an active team with nothing logged in ``today``'s week (Monday to Sunday)."""
    period, monday = week_period(today)
    logged = select(Activity.clinician_id).where(
        Activity.activity_on.between(monday, monday + timedelta(days=6)), Activity.deleted_at.is_(None)
    )
    in_active_team = (
        select(RoleAssignment.user_id)
        .join(Team, Team.id == RoleAssignment.team_id)
        .where(RoleAssignment.role == Role.CLINICIAN.value, Team.is_active.is_(True))
    )
    stmt = _recipients("weekly", Role.CLINICIAN).where(User.id.in_(in_active_team), User.id.not_in(logged))
    sent = _already_sent("weekly", {period})
    week = f"the week beginning {monday:%-d %B %Y}"
    return [
        Planned(u.id, u.email, u.full_name, "weekly", period, f"nothing logged in {week}", {"week": week})
        for u in db.session.scalars(stmt)
        if (u.id, period) not in sent
    ]


def month_end_reminders(today: date) -> list[Planned]:
    """Team leads with a team whose month is not locked, and who in that team logged nothing."""
    month = month_end_target(today)
    period = f"{month:%Y-%m}"
    sent = _already_sent("month-end", {period})
    locked = select(MonthLock.team_id).where(MonthLock.month == month, MonthLock.is_locked.is_(True))
    planned = []
    for lead in db.session.scalars(_recipients("month-end", Role.TEAM_LEAD)):
        if (lead.id, period) in sent:
            continue
        teams = db.session.scalars(
            select(Team)
            .where(Team.id.in_(sorted(lead.led_team_ids)), Team.is_active.is_(True), Team.id.not_in(locked))
            .order_by(Team.name)
        ).all()
        if not teams:
            continue
        listed = [{"team": t.name, "silent": _silent_clinicians(t, month)} for t in teams]
        summary = f"{format_month(month)} not locked for " + ", ".join(t.name for t in teams)
        details = {"month": format_month(month), "teams": listed}
        planned.append(Planned(lead.id, lead.email, lead.full_name, "month-end", period, summary, details))
    return planned


def _silent_clinicians(team: Team, month: date) -> list[str]:
    """Names of the team's active clinicians with nothing logged for the team in ``month``."""
    logged = select(Activity.clinician_id).where(
        Activity.team_id == team.id,
        Activity.activity_on.between(month, month_end(month)),
        Activity.deleted_at.is_(None),
    )
    members = select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.CLINICIAN.value, RoleAssignment.team_id == team.id
    )
    stmt = (
        select(User.full_name)
        .where(User.is_active.is_(True), User.id.in_(members), User.id.not_in(logged))
        .order_by(User.full_name)
    )
    return list(db.session.scalars(stmt))


def month_ready_reminders(today: date) -> list[Planned]:
    """Commissioners of a provider every one of whose teams has locked a recently ended month."""
    months = [add_months(month_start(today), -n) for n in range(1, READY_LOOKBACK_MONTHS + 1)]
    planned = []
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        commissioners = select(RoleAssignment.user_id).where(
            RoleAssignment.role == Role.COMMISSIONER.value, RoleAssignment.organisation_id == organisation.id
        )
        people = db.session.scalars(
            _recipients("month-ready", Role.COMMISSIONER).where(User.id.in_(commissioners))
        ).all()
        if not people:
            continue
        for month in months:
            period = f"{month:%Y-%m}/org-{organisation.id}"
            sent = _already_sent("month-ready", {period})
            waiting = [p for p in people if (p.id, period) not in sent]
            if not waiting or not month_fully_locked(organisation, month):
                continue
            details = {"organisation": organisation.name, "organisation_id": organisation.id}
            details |= {"month": format_month(month), "month_value": f"{month:%Y-%m}"}
            summary = f"{organisation.name} {format_month(month)} is locked by every team"
            planned += [
                Planned(p.id, p.email, p.full_name, "month-ready", period, summary, details) for p in waiting
            ]
    return planned
