"""Create, change and delete one activity record.

Every write goes through the record rules (:func:`indirect_work.capture.rules.check_activity`),
writes an audit event (structured fields only, never the note text) and flushes; the request's
commit point commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from indirect_work.audit.services import diff_fields, record_event
from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput, CheckedActivity
from indirect_work.capture.models import Activity, ActivityServiceRequest
from indirect_work.capture.rules import RuleCache, check_activity, check_record_unlocked, checked
from indirect_work.capture.services.sharing import (
    CoDeliverer,
    check_co_deliverers,
    check_team_keeps_co_deliverers,
    record_added,
)
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import can_edit_activity
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import RecipientType


def audit_fields(activity: Activity) -> dict[str, Any]:
    """The structured fields written to the audit log (the note's text never is)."""
    return data_audit_fields(checked(ActivityInput.from_activity(activity)))


def data_audit_fields(data: CheckedActivity) -> dict[str, Any]:
    """The audit fields of checked values (the bulk import writes its events from them)."""
    return {
        "activity_type_id": data.activity_type_id,
        "activity_on": data.activity_on.isoformat(),
        "start_time": data.start_time.strftime("%H:%M") if data.start_time else None,
        "duration_minutes": data.duration_minutes,
        "team_id": data.team_id,
        "consultation_mechanism_code": data.consultation_mechanism_code,
        "recipient_type_ids": list(data.recipient_type_ids),
        "people_reached": data.people_reached,
        "has_service_request_id": data.service_request_id is not None,
        "service_request_count": len(data.more_service_request_ids) + (1 if data.service_request_id else 0),
        "has_note": bool(data.note),
    }


def _apply(activity: Activity, data: CheckedActivity, cache: RuleCache | None = None) -> None:
    """Copy validated data onto the record, reusing what the rules already loaded."""
    cache = cache or RuleCache()
    with db.session.no_autoflush:  # one UPDATE (one version step) per change, not one per lookup
        team = cache.objects.get((Team, data.team_id)) or db.session.get(Team, data.team_id)
        assert team is not None  # checked
        ids = data.recipient_type_ids
        found = cache.recipients.get(ids)
        if found is None:
            found = {
                r.id: r for r in db.session.scalars(select(RecipientType).where(RecipientType.id.in_(ids)))
            }
        _assign(activity, data, team, [found[i] for i in data.recipient_type_ids])


def _assign(activity: Activity, data: CheckedActivity, team: Team, recipients: list[RecipientType]) -> None:
    activity.team_id = team.id
    activity.organisation_id = team.organisation_id
    activity.activity_type_id = data.activity_type_id
    activity.activity_on = data.activity_on
    activity.start_time = data.start_time
    activity.duration_minutes = data.duration_minutes
    activity.consultation_mechanism_code = data.consultation_mechanism_code
    activity.people_reached = data.people_reached
    activity.service_request_id = data.service_request_id
    activity.note = data.note
    activity.recipient_types = recipients
    _assign_service_requests(activity, data)


def _assign_service_requests(activity: Activity, data: CheckedActivity) -> None:
    """Keep ``activity_service_requests`` the record's identifiers in order (the first is also the column)."""
    wanted = [data.service_request_id, *data.more_service_request_ids] if data.service_request_id else []
    if [s.service_request_id for s in activity.service_requests] == wanted:
        return
    activity.service_requests = []
    if activity.id is not None:
        db.session.flush()  # the old rows go before the new ones reuse their positions
    activity.service_requests = [
        ActivityServiceRequest(position=i, service_request_id=value) for i, value in enumerate(wanted)
    ]


def create_activity(
    *,
    actor: User,
    data: ActivityInput,
    source: str = "web",
    submission_token: str | None = None,
    clinician: User | None = None,
    co_deliverers: Sequence[CoDeliverer] = (),
) -> Activity:
    """Save a new record for ``clinician`` (the actor by default), with any colleagues who co-delivered it.

    A ``submission_token`` already used by this clinician returns that record instead of a second
    one. Raises ``ValidationFailed`` when a rule fails, ``Conflict`` when the token belongs to
    someone else's record.
    """
    clinician = clinician or actor
    if submission_token:
        existing = _by_token(submission_token)
        if existing is not None:
            return _replayed(existing, clinician)
    cache = RuleCache()
    values = check_activity(actor, data, clinician=clinician, cache=cache)
    parts = check_co_deliverers(
        creator=clinician,
        team_id=values.team_id,
        duration=values.duration_minutes,
        wanted=co_deliverers,
        existing=frozenset(),
    )
    activity = Activity(
        clinician_id=clinician.id,
        source=source,
        submission_token=submission_token or None,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    _apply(activity, values, cache)
    try:
        with db.session.begin_nested():
            db.session.add(activity)
            db.session.flush()
    except IntegrityError:
        # Two requests with one token raced: the other one won, so answer with its record.
        existing = _by_token(submission_token) if submission_token else None
        if existing is None:
            raise
        return _replayed(existing, clinician)
    record_event(
        "activity.create",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={**audit_fields(activity), "source": source, "clinician_id": clinician.id},
    )
    record_added(actor, activity, parts)
    return activity


def _by_token(token: str) -> Activity | None:
    return db.session.scalar(select(Activity).where(Activity.submission_token == token))


def _replayed(existing: Activity, clinician: User) -> Activity:
    if existing.clinician_id != clinician.id:
        raise Conflict("This form was already used. Open the log page again to add a record.")
    return existing


def update_activity(
    *, actor: User, activity: Activity, data: ActivityInput, expected_version: int
) -> Activity:
    """Change a record the actor may edit, if nobody changed it since ``expected_version``.

    Raises ``Conflict`` (carrying the record as it now stands) on a stale version,
    ``ValidationFailed`` when a rule fails, ``PermissionDenied`` when it is not theirs to edit.
    """
    if not can_edit_activity(actor, activity):
        raise PermissionDenied("You can only change your own records")
    _check_version(activity, expected_version)
    cache = RuleCache()
    values = check_activity(actor, data, existing=activity, cache=cache)
    check_team_keeps_co_deliverers(activity, values.team_id)
    before = audit_fields(activity)
    note_before = activity.note
    with _versioned_change(activity):
        _apply(activity, values, cache)
        activity.updated_by_id = actor.id
        activity.updated_at = (
            utcnow()
        )  # always an UPDATE, so the version moves even if only recipients changed
    changes = diff_fields(before, audit_fields(activity))
    changes.pop("has_note", None)
    if note_before != activity.note:
        changes["note_changed"] = [False, True]
    record_event(
        "activity.update",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={"changes": changes, "version": activity.version},
    )
    return activity


def delete_activity(*, actor: User, activity: Activity, expected_version: int | None = None) -> None:
    """Soft-delete a record the actor may edit (it stays for audit; reports no longer count it)."""
    if not can_edit_activity(actor, activity):
        raise PermissionDenied("You can only delete your own records")
    if expected_version is not None:
        _check_version(activity, expected_version)
    errors = check_record_unlocked(actor, activity)
    if errors:
        raise ValidationFailed(errors, message=errors["activity_on"][0])
    with _versioned_change(activity):
        activity.deleted_at = utcnow()
        activity.deleted_by_id = actor.id
        activity.updated_by_id = actor.id
    record_event(
        "activity.delete",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={
            "activity_on": activity.activity_on.isoformat(),
            "duration_minutes": activity.duration_minutes,
            "team_id": activity.team_id,
        },
    )


def _check_version(activity: Activity, expected_version: int) -> None:
    if activity.version != expected_version:
        raise Conflict(
            "Someone changed this record after you opened it. Their version is shown below; "
            "make your changes again on it.",
            current=activity,
        )


@contextmanager
def _versioned_change(activity: Activity) -> Iterator[None]:
    """Make and flush a change of the record; a version moved by a concurrent save is a ``Conflict``.

    The change runs in a savepoint, so that a refused UPDATE leaves the request's transaction
    usable and the record, expired by the savepoint's rollback, reads as it now stands.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except StaleDataError:
        current = db.session.get(Activity, activity.id)
        raise Conflict(
            "Someone changed this record at the same moment. Their version is shown below.", current=current
        ) from None
