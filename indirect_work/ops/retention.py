"""The retention purge: remove records older than the configured period, and audit the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from indirect_work.audit.services import record_event
from indirect_work.auth.throttle import purge_expired_failures
from indirect_work.capture.models import Activity, IdempotencyRecord
from indirect_work.core.dates import add_months, month_start
from indirect_work.core.db import utcnow
from indirect_work.extensions import db

#: API idempotency records only need to outlive a client's retries.
IDEMPOTENCY_KEEP_DAYS = 7


@dataclass(frozen=True)
class PurgeSummary:
    cutoff: date
    activities: int
    idempotency_records: int
    auth_failures: int
    dry_run: bool


def retention_cutoff(today: date | None = None) -> date:
    """Activities dated before this day are past retention: whole months, counted back from this month."""
    months = int(current_app.config["IW_RETENTION_MONTHS"])
    if months <= 0:
        raise ValueError("IW_RETENTION_MONTHS must be a positive number of months")
    return add_months(month_start(today or utcnow().date()), -months)


def purge_expired(*, today: date | None = None, dry_run: bool = False) -> PurgeSummary:
    """Delete activities (with their recipients) dated before the cutoff, old idempotency records and
    expired sign-in failures. Audit events are never purged here: they are append-only."""
    cutoff = retention_cutoff(today)
    expired = Activity.activity_on < cutoff
    idempotency_before = utcnow() - timedelta(days=IDEMPOTENCY_KEEP_DAYS)
    if dry_run:
        activities = db.session.scalar(select(func.count()).select_from(Activity).where(expired)) or 0
        idempotency = (
            db.session.scalar(
                select(func.count())
                .select_from(IdempotencyRecord)
                .where(IdempotencyRecord.created_at < idempotency_before)
            )
            or 0
        )
        summary = PurgeSummary(cutoff, activities, idempotency, 0, dry_run=True)
    else:
        activities = db.session.execute(delete(Activity).where(expired)).rowcount or 0  # type: ignore[attr-defined]
        idempotency = (
            db.session.execute(
                delete(IdempotencyRecord).where(  # type: ignore[attr-defined]
                    IdempotencyRecord.created_at < idempotency_before
                )
            ).rowcount
            or 0
        )
        summary = PurgeSummary(cutoff, activities, idempotency, purge_expired_failures(), dry_run=False)
    record_event(
        "retention.purge",
        object_type="retention",
        details={
            "cutoff": cutoff.isoformat(),
            "months": int(current_app.config["IW_RETENTION_MONTHS"]),
            "activities": summary.activities,
            "idempotency_records": summary.idempotency_records,
            "auth_failures": summary.auth_failures,
            "dry_run": dry_run,
        },
    )
    return summary
