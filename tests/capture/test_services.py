"""Capture services: one record per submission, safe concurrent edits, scoping, audit, favourites."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity
from indirect_work.capture.services import (
    MyActivitiesFilter,
    add_favourite,
    create_activity,
    delete_activity,
    favourite_template,
    get_activity_for,
    recent_templates,
    sum_activities,
    update_activity,
)
from indirect_work.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from indirect_work.extensions import db
from tests.capture.helpers import count_activities, data_for, recipient_id, type_id


def events(action, object_id):
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
        )
    )


def test_create_writes_the_record_and_an_audit_event_without_the_note(clinician, team):
    activity = create_activity(
        actor=clinician, data=data_for(team, note="Sensitive words here"), source="web"
    )
    assert activity.organisation_id == team.organisation_id and activity.clinician_id == clinician.id
    assert activity.version == 1 and activity.source == "web"
    [event] = events("activity.create", activity.id)
    assert event.details["duration_minutes"] == 60 and event.details["has_note"] is True
    assert "Sensitive" not in str(event.details)


def test_same_submission_token_creates_one_record(clinician, team):
    first = create_activity(actor=clinician, data=data_for(team), submission_token="abc123")
    second = create_activity(
        actor=clinician, data=data_for(team, duration_minutes=5), submission_token="abc123"
    )
    assert first.id == second.id
    assert count_activities(clinician_id=clinician.id) == 1
    assert len(events("activity.create", first.id)) == 1


def test_someone_elses_submission_token_is_a_conflict(make, clinician, team):
    create_activity(actor=clinician, data=data_for(team), submission_token="shared")
    other = make.clinician(team)
    with pytest.raises(Conflict):
        create_activity(actor=other, data=data_for(team), submission_token="shared")


def test_update_changes_fields_bumps_version_and_audits_changes_only(clinician, team):
    activity = create_activity(actor=clinician, data=data_for(team, note="first"))
    update_activity(
        actor=clinician,
        activity=activity,
        data=data_for(
            team, duration_minutes=45, note="second", recipient_type_ids=[recipient_id("GP_PRIMARY_CARE")]
        ),
        expected_version=1,
    )
    assert activity.version == 2 and activity.duration_minutes == 45
    [event] = events("activity.update", activity.id)
    changes = event.details["changes"]
    assert changes["duration_minutes"] == [60, 45]
    assert "recipient_type_ids" in changes and changes["note_changed"] == [False, True]
    assert "first" not in str(event.details) and "second" not in str(event.details)


def test_update_with_only_recipients_changed_still_moves_the_version(clinician, team):
    activity = create_activity(actor=clinician, data=data_for(team))
    update_activity(
        actor=clinician,
        activity=activity,
        data=data_for(team, recipient_type_ids=[recipient_id("WARD_STAFF")]),
        expected_version=1,
    )
    assert activity.version == 2


def test_stale_version_is_refused_with_the_current_record(clinician, team):
    activity = create_activity(actor=clinician, data=data_for(team))
    update_activity(
        actor=clinician, activity=activity, data=data_for(team, duration_minutes=30), expected_version=1
    )
    with pytest.raises(Conflict) as info:
        update_activity(
            actor=clinician, activity=activity, data=data_for(team, duration_minutes=99), expected_version=1
        )
    assert info.value.current is activity and activity.duration_minutes == 30
    with pytest.raises(Conflict):
        delete_activity(actor=clinician, activity=activity, expected_version=1)
    assert activity.deleted_at is None


def test_concurrent_write_detected_by_the_version_column(app, clinician, team):
    """A row changed by another connection since it was loaded is not silently overwritten."""
    activity = create_activity(actor=clinician, data=data_for(team))
    db.session.execute(Activity.__table__.update().where(Activity.id == activity.id).values(version=5))
    with pytest.raises(Conflict):
        update_activity(
            actor=clinician, activity=activity, data=data_for(team, duration_minutes=20), expected_version=1
        )


def test_delete_is_soft_and_audited(clinician, team):
    activity = create_activity(actor=clinician, data=data_for(team))
    delete_activity(actor=clinician, activity=activity, expected_version=1)
    assert activity.deleted_at is not None and activity.deleted_by_id == clinician.id
    assert db.session.get(Activity, activity.id) is not None
    assert events("activity.delete", activity.id)
    with pytest.raises(NotFound):
        get_activity_for(clinician, activity.id)


def test_another_clinicians_record_is_not_found_and_cannot_be_changed(make, clinician, team):
    mine = create_activity(actor=clinician, data=data_for(team))
    other = make.clinician(team)
    with pytest.raises(NotFound):
        get_activity_for(other, mine.id)
    with pytest.raises(PermissionDenied):
        update_activity(
            actor=other, activity=mine, data=data_for(team, duration_minutes=1), expected_version=1
        )
    with pytest.raises(PermissionDenied):
        delete_activity(actor=other, activity=mine)
    assert mine.duration_minutes == 60 and mine.deleted_at is None
    assert get_activity_for(make.admin(), mine.id) is mine


def test_failed_create_leaves_no_partial_data(clinician, team):
    with pytest.raises(ValidationFailed):
        create_activity(actor=clinician, data=data_for(team, duration_minutes=0))
    assert count_activities() == 0
    assert not list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.create")))


def test_totals_follow_the_filters(make, clinician, team):
    create_activity(actor=clinician, data=data_for(team, duration_minutes=60, people_reached=3))
    create_activity(
        actor=clinician,
        data=data_for(team, duration_minutes=30, people_reached=10, activity_type_id=type_id("TRAIN_STAFF")),
    )
    old = create_activity(actor=clinician, data=data_for(team, activity_on=date.today() - timedelta(days=40)))
    delete_activity(actor=clinician, activity=old)
    make.activity(make.clinician(team), duration_minutes=500)
    totals = sum_activities(clinician, MyActivitiesFilter())
    assert (totals.activities, totals.minutes, totals.people_reached) == (2, 90, 13)
    training = sum_activities(clinician, MyActivitiesFilter(activity_type_id=type_id("TRAIN_STAFF")))
    assert (training.activities, training.minutes) == (1, 30)


def test_favourite_from_a_record_and_recents(clinician, team):
    a = create_activity(actor=clinician, data=data_for(team))
    create_activity(actor=clinician, data=data_for(team, activity_type_id=type_id("TRAIN_STAFF")))
    favourite = add_favourite(actor=clinician, activity=a)
    assert add_favourite(actor=clinician, activity=a).id == favourite.id  # starring twice keeps one
    template = favourite_template(favourite)
    assert template.activity_type_id == a.activity_type_id and template.recipient_type_ids
    recents = recent_templates(clinician, exclude=[template])
    assert [r.activity_type_id for r in recents] == [type_id("TRAIN_STAFF")]
