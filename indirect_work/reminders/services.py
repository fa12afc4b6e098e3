"""Send the reminders that are due: claim each one (its own committed row), then email, then audit.

The row in ``sent_reminders`` is inserted and committed *before* the email is sent. A second
scheduler running at the same time fails to insert the same (person, kind, period) and skips the
person, so nobody is reminded twice; an email that then fails is marked ``failed`` with the
server's answer and is not sent again by a later run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import exc, select

from indirect_work.audit.services import record_event
from indirect_work.core.db import utcnow
from indirect_work.core.transactions import unit_of_work
from indirect_work.extensions import db
from indirect_work.jobs import current_job_id, enqueue, queue_enabled
from indirect_work.mail import MailFailed, OutgoingEmail, absolute_url, compose, deliver, mail_enabled
from indirect_work.reminders import queries
from indirect_work.reminders.models import KINDS, SentReminder

PLANNERS: dict[str, Callable[[date], list[queries.Planned]]] = {
    "weekly": queries.weekly_reminders,
    "month-end": queries.month_end_reminders,
    "month-ready": queries.month_ready_reminders,
}
SUBJECTS = {
    "weekly": "Reminder: log your indirect work for this week",
    "month-end": "Month end: check and lock your team's month",
    "month-ready": "A month is ready: every team has locked it",
}


@dataclass(frozen=True)
class Outcome:
    planned: queries.Planned
    #: ``sent``, ``failed``, ``email_off``, ``skipped`` (claimed by another run), ``queued`` (a worker
    #: sends it) or ``planned`` (dry run).
    result: str


def due_kinds(now: datetime) -> list[str]:
    """The kinds whose time has come at ``now`` (UTC), for a scheduler that runs every hour."""
    config = current_app.config
    kinds = []
    if now.weekday() == config["IW_REMINDER_WEEKDAY"] and now.hour >= config["IW_REMINDER_HOUR"]:
        kinds.append("weekly")
    if queries.month_end_due(now.date()) and now.hour >= config["IW_REMINDER_HOUR"]:
        kinds.append("month-end")
    kinds.append("month-ready")
    return kinds


def plan(kinds: list[str], today: date) -> list[queries.Planned]:
    """Everyone due a reminder of ``kinds`` on ``today`` who has not had it."""
    return [p for kind in kinds if kind in KINDS for p in PLANNERS[kind](today)]


def send_reminders(kinds: list[str], today: date, *, dry_run: bool = False) -> list[Outcome]:
    """Plan, then claim and send each reminder in turn (a dry run only plans)."""
    planned = plan(kinds, today)
    if dry_run:
        return [Outcome(p, "planned") for p in planned]
    if queue_enabled():  # each person's reminder is its own job, retried on its own
        for p in planned:
            enqueue(send_one, p)
        return [Outcome(p, "queued") for p in planned]
    return [Outcome(p, send_one(p)) for p in planned]


def claim(planned: queries.Planned) -> int | None:
    """Insert and commit the reminder's row; None when another run has it.

    A queued job whose worker died after claiming (status still ``sending``, the same job id) is
    retried by the queue and gets its row back, so the reminder is still sent once.
    """
    job_id = current_job_id()
    try:
        with unit_of_work():
            row = SentReminder(
                user_id=planned.user_id, kind=planned.kind, period=planned.period, job_id=job_id
            )
            db.session.add(row)
            db.session.flush()
            return row.id
    except exc.IntegrityError:
        if job_id is None:
            return None
    mine = db.session.scalar(
        select(SentReminder.id).where(
            SentReminder.user_id == planned.user_id,
            SentReminder.kind == planned.kind,
            SentReminder.period == planned.period,
            SentReminder.status == "sending",
            SentReminder.job_id == job_id,
        )
    )
    return mine


def send_one(planned: queries.Planned) -> str:
    """Claim, compose and send one reminder; records and audits the result."""
    row_id = claim(planned)
    if row_id is None:
        return "skipped"
    result, error = "email_off", None
    if mail_enabled():
        try:
            deliver(reminder_email(planned))
            result = "sent"
        except MailFailed as failure:
            result, error = "failed", str(failure)[:1000]
    with unit_of_work():
        row = db.session.get(SentReminder, row_id)
        if row is not None:
            row.status, row.error = result, error
            row.sent_at = utcnow() if result == "sent" else None
        record_event(
            f"reminder.{result}",
            object_type="user",
            object_id=planned.user_id,
            details={"kind": planned.kind, "period": planned.period},
        )
    return result


def reminder_email(planned: queries.Planned) -> OutgoingEmail:
    """The email for a planned reminder, with its link into the service (never a file)."""
    return compose(
        to=planned.email,
        subject=SUBJECTS[planned.kind],
        template="reminder_" + planned.kind.replace("-", "_"),
        name=planned.name,
        link=_link(planned),
        account_link=absolute_url("reminders.preferences"),
        **planned.details,
    )


def _link(planned: queries.Planned) -> str:
    details: dict[str, Any] = planned.details
    if planned.kind == "weekly":
        return absolute_url("capture.week")
    if planned.kind == "month-end":
        return absolute_url("reports.dashboard")
    return absolute_url(
        "commissioning.index", organisation=details["organisation_id"], month=details["month_value"]
    )


def recent(limit: int = 50) -> list[SentReminder]:
    """The latest reminders, newest first (for the admin's email page)."""
    return list(db.session.scalars(select(SentReminder).order_by(SentReminder.id.desc()).limit(limit)))
