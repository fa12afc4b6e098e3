"""Create the many records of a spreadsheet import in one unit of work, with bulk INSERTs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from indirect_work.audit.models import AuditEvent
from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput, CheckedActivity
from indirect_work.capture.models import Activity, ActivityServiceRequest, activity_recipients
from indirect_work.capture.rules import RuleCache, checked, validate_activity
from indirect_work.capture.services.activities import data_audit_fields
from indirect_work.core.db import utcnow
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db
from indirect_work.org.models import Team

#: Rows per bulk INSERT in :func:`create_many`.
BATCH_SIZE = 500


def create_many(*, actor: User, rows: Sequence[tuple[str, ActivityInput, str | None]], source: str) -> int:
    """Create many records of the actor in one unit of work (spreadsheet import).

    ``rows`` are ``(label, data, submission_token)``. Every row is checked first; if any fails,
    ``ValidationFailed`` is raised with the messages keyed by label and nothing is added. Rows are
    then inserted in batches and detached from the session, so ten thousand rows stay fast.
    """
    cache = RuleCache()
    failures: dict[str, list[str]] = {}
    ready: list[tuple[CheckedActivity, str | None]] = []
    with db.session.no_autoflush:
        for label, data, token in rows:
            errors = validate_activity(actor, data, cache=cache)
            if errors:
                failures[label] = [message for messages in errors.values() for message in messages]
            else:
                ready.append((checked(data), token))
    if failures:
        raise ValidationFailed(failures, message="Some rows are no longer valid, so nothing was saved")
    teams = {
        t.id: t
        for t in db.session.scalars(select(Team).where(Team.id.in_({data.team_id for data, _ in ready})))
    }
    for start in range(0, len(ready), BATCH_SIZE):
        _insert_batch(actor, ready[start : start + BATCH_SIZE], teams, source)
    return len(rows)


def _insert_batch(
    actor: User, rows: list[tuple[CheckedActivity, str | None]], teams: dict[int, Team], source: str
) -> None:
    """Bulk INSERTs (records, their recipients, their audit events) without per-row ORM work."""
    now = utcnow()
    values = [_row_values(actor, data, token, teams[data.team_id], source, now) for data, token in rows]
    ids = list(
        db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), values)
    )
    links = [
        {"activity_id": activity_id, "recipient_type_id": recipient_id}
        for activity_id, (data, _) in zip(ids, rows, strict=True)
        for recipient_id in data.recipient_type_ids
    ]
    if links:
        db.session.execute(insert(activity_recipients), links)
    requests = [
        {"activity_id": activity_id, "position": position, "service_request_id": value}
        for activity_id, (data, _) in zip(ids, rows, strict=True)
        if data.service_request_id
        for position, value in enumerate([data.service_request_id, *data.more_service_request_ids])
    ]
    if requests:
        db.session.execute(insert(ActivityServiceRequest), requests)
    # One event built the usual way supplies the request's address and id to all of them.
    sample = record_event("activity.create", actor=actor, object_type="activity")
    db.session.expunge(sample)
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "action": "activity.create",
                "actor_id": actor.id,
                "actor_email": actor.email,
                "object_type": "activity",
                "object_id": str(activity_id),
                "ip_address": sample.ip_address,
                "request_id": sample.request_id,
                "occurred_at": now,
                "details": {**data_audit_fields(data), "source": source, "clinician_id": actor.id},
            }
            for activity_id, (data, _) in zip(ids, rows, strict=True)
        ],
    )


def _row_values(
    actor: User, data: CheckedActivity, token: str | None, team: Team, source: str, now: datetime
) -> dict[str, Any]:
    """The columns of one imported record."""
    return {
        "organisation_id": team.organisation_id,
        "team_id": team.id,
        "clinician_id": actor.id,
        "activity_type_id": data.activity_type_id,
        "activity_on": data.activity_on,
        "start_time": data.start_time,
        "duration_minutes": data.duration_minutes,
        "consultation_mechanism_code": data.consultation_mechanism_code,
        "people_reached": data.people_reached,
        "service_request_id": data.service_request_id,
        "note": data.note,
        "source": source,
        "submission_token": token,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor.id,
        "updated_by_id": actor.id,
    }
