"""Each record rule, checked through the services every entry path uses (no HTTP)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from indirect_work.capture.models import MonthLock
from indirect_work.capture.rules import find_nhs_numbers, is_valid_nhs_number, validate_activity
from indirect_work.capture.services import create_activity, delete_activity, update_activity
from indirect_work.core.dates import month_start
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityType, ConsultationMechanism, RecipientType
from tests.capture.helpers import count_activities, data_for, recipient_id, type_id

VALID_NHS = "943 476 5919"


def refused(actor, data, field):
    """Create must fail on ``field`` and write nothing."""
    before = count_activities()
    with pytest.raises(ValidationFailed) as info:
        create_activity(actor=actor, data=data, source="web")
    assert field in info.value.fields, info.value.fields
    assert count_activities() == before
    return info.value.fields[field][0]


def team_of(user):
    return db.session.get(Team, user.default_team_id)


def test_valid_record_passes_every_rule(clinician):
    assert validate_activity(clinician, data_for(team_of(clinician))) == {}


@pytest.mark.parametrize("minutes", [0, -5, 1441, 100000])
def test_duration_outside_1_to_1440_is_refused(clinician, minutes):
    assert "between 1 minute and 24 hours" in refused(
        clinician, data_for(team_of(clinician), duration_minutes=minutes), "duration_minutes"
    )


@pytest.mark.parametrize("minutes", [1, 1440])
def test_duration_limits_are_accepted(clinician, minutes):
    assert create_activity(actor=clinician, data=data_for(team_of(clinician), duration_minutes=minutes)).id


def test_future_date_is_refused(clinician):
    message = refused(
        clinician, data_for(team_of(clinician), activity_on=date.today() + timedelta(days=1)), "activity_on"
    )
    assert "future" in message


def test_locked_month_refuses_new_records_but_not_for_admins(make, clinician):
    team = team_of(clinician)
    last_month = month_start(date.today()) - timedelta(days=1)
    db.session.add(MonthLock(team_id=team.id, month=month_start(last_month), is_locked=True))
    db.session.flush()
    assert "is locked" in refused(clinician, data_for(team, activity_on=last_month), "activity_on")
    admin = make.admin()
    assert create_activity(actor=admin, data=data_for(team, activity_on=last_month), clinician=clinician).id


def test_unlocked_lock_row_does_not_block(clinician):
    team = team_of(clinician)
    db.session.add(MonthLock(team_id=team.id, month=month_start(date.today()), is_locked=False))
    db.session.flush()
    assert create_activity(actor=clinician, data=data_for(team)).id


def test_record_in_a_locked_month_cannot_be_edited_or_deleted(make, clinician):
    team = team_of(clinician)
    day = month_start(date.today()) - timedelta(days=3)
    activity = create_activity(actor=clinician, data=data_for(team, activity_on=day))
    db.session.add(MonthLock(team_id=team.id, month=month_start(day), is_locked=True))
    db.session.flush()
    # Moving it to an open month is refused too: the ORIGINAL month is locked.
    with pytest.raises(ValidationFailed) as info:
        update_activity(
            actor=clinician,
            activity=activity,
            data=data_for(team, activity_on=date.today()),
            expected_version=activity.version,
        )
    assert "locked" in info.value.fields["activity_on"][0]
    with pytest.raises(ValidationFailed):
        delete_activity(actor=clinician, activity=activity, expected_version=activity.version)
    assert activity.deleted_at is None


def test_patient_specific_type_needs_start_time_and_service_request(clinician):
    team = team_of(clinician)
    data = data_for(team, activity_type_id=type_id("CONSULT_PATIENT"))
    with pytest.raises(ValidationFailed) as info:
        create_activity(actor=clinician, data=data)
    assert {"start_time", "service_request_id"} <= set(info.value.fields)
    ok = data_for(
        team,
        activity_type_id=type_id("CONSULT_PATIENT"),
        start_time=time(14, 30),
        service_request_id="SR-000123",
    )
    assert create_activity(actor=clinician, data=ok).service_request_id == "SR-000123"


def test_service_request_refused_for_a_type_that_is_not_patient_specific(clinician):
    message = refused(
        clinician, data_for(team_of(clinician), service_request_id="SR-1"), "service_request_id"
    )
    assert "Leave the service request identifier empty" in message


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("SR 12/3", "letters, numbers and hyphens"),
        ("A" * 21, "up to 20"),
        ("9434765919", "NHS number"),
        ("943-476-5919", "NHS number"),
    ],
)
def test_service_request_identifier_is_format_checked(clinician, value, hint):
    data = data_for(
        team_of(clinician),
        activity_type_id=type_id("CONSULT_PATIENT"),
        start_time=time(9, 0),
        service_request_id=value,
    )
    assert hint in refused(clinician, data, "service_request_id")


def test_retired_type_is_refused_for_new_records_but_kept_on_old_ones(clinician):
    team = team_of(clinician)
    activity = create_activity(actor=clinician, data=data_for(team))
    retired = db.session.get(ActivityType, activity.activity_type_id)
    retired.is_active = False
    db.session.flush()
    assert "retired" in refused(clinician, data_for(team), "activity_type_id")
    updated = update_activity(
        actor=clinician,
        activity=activity,
        data=data_for(team, duration_minutes=30),
        expected_version=activity.version,
    )
    assert updated.duration_minutes == 30


def test_inactive_team_is_refused(clinician):
    team = team_of(clinician)
    team.is_active = False
    db.session.flush()
    assert "no longer active" in refused(clinician, data_for(team), "team_id")


def test_team_the_clinician_does_not_belong_to_is_refused(make, clinician):
    other = make.team()
    assert "your own teams" in refused(clinician, data_for(other), "team_id")


def test_mechanism_and_recipients_must_exist_and_be_active(clinician):
    team = team_of(clinician)
    assert refused(clinician, data_for(team, consultation_mechanism_code="77"), "consultation_mechanism_code")
    assert refused(
        clinician, data_for(team, consultation_mechanism_code="x\x00"), "consultation_mechanism_code"
    )
    db.session.get(ConsultationMechanism, "02").is_active = False
    db.session.get(RecipientType, recipient_id("GP_PRIMARY_CARE")).is_active = False
    db.session.flush()
    assert refused(clinician, data_for(team, consultation_mechanism_code="02"), "consultation_mechanism_code")
    assert refused(
        clinician, data_for(team, recipient_type_ids=[recipient_id("GP_PRIMARY_CARE")]), "recipient_type_ids"
    )
    assert refused(clinician, data_for(team, recipient_type_ids=[]), "recipient_type_ids")
    assert refused(clinician, data_for(team, recipient_type_ids=[2**40]), "recipient_type_ids")


def test_note_longer_than_500_characters_is_refused(clinician):
    assert "500 characters" in refused(clinician, data_for(team_of(clinician), note="x" * 501), "note")
    assert create_activity(actor=clinician, data=data_for(team_of(clinician), note="x" * 500)).note


@pytest.mark.parametrize(
    "note",
    [
        "Discussed 9434765919 with ward",
        "nhs no 943 476 5919.",
        "ref 943-476-5919",
        "(4010232137)",
    ],
)
def test_note_with_an_nhs_number_is_refused_with_an_explanation(clinician, note):
    message = refused(clinician, data_for(team_of(clinician), note=note), "note")
    assert "NHS number" in message and "must not identify patients" in message
    assert "9434765919" not in message and "4010232137" not in message


@pytest.mark.parametrize(
    "note",
    [
        "Called 07700 900123 for the ward",
        "1234567890 fails the check",
        "Trained 12 staff, 3 sessions",
        "943 476 59190 is too long",
    ],
)
def test_note_with_numbers_that_are_not_nhs_numbers_is_accepted(clinician, note):
    assert create_activity(actor=clinician, data=data_for(team_of(clinician), note=note)).id


def test_modulus_11_check():
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("4010232137")
    assert not is_valid_nhs_number("9434765918")
    assert not is_valid_nhs_number("1234567890")  # check digit would be 10: never valid
    assert find_nhs_numbers(f"x {VALID_NHS} y") == [VALID_NHS]


def test_people_reached_range(clinician):
    assert refused(clinician, data_for(team_of(clinician), people_reached=-1), "people_reached")
    assert refused(clinician, data_for(team_of(clinician), people_reached=None), "people_reached")
