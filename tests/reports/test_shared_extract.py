"""Several patients in one meeting: one MHS204 row per service request, durations adding up exactly,
no two rows sharing the national de-duplication key, co-deliverers reported as not represented."""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from typing import Any

import pytest

from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.services import CoDeliverer, create_activity, update_activity
from indirect_work.core.errors import ValidationFailed
from indirect_work.reports.mhsds_extract import apportion, extract_rows, extract_values, validation_values
from tests.api.conftest import recipient_id, type_id

MONTH = date(2026, 3, 1)
PATIENTS = ["SR-1001", "SR-1002", "SR-1003", "SR-1004"]


def _meeting(team: Any, minutes: int, requests: list[str], at: time = time(13, 47)) -> ActivityInput:
    return ActivityInput(
        activity_type_id=type_id("FORMULATION_PATIENT"),
        activity_on=date(2026, 3, 10),
        duration_minutes=minutes,
        team_id=team.id,
        consultation_mechanism_code="01",
        recipient_type_ids=[recipient_id("MH_TEAM_STAFF")],
        people_reached=6,
        start_time=at,
        service_request_id=requests[0],
        more_service_request_ids=requests[1:],
    )


@pytest.fixture
def mdt(make: Any, db: Any) -> dict[str, Any]:
    org = make.organisation(ods_code="RMD1", default_commissioner_code="15N")
    team = make.team(org, local_id="MDT01")
    lead = make.clinician(team, staff_local_id="CP0001")
    colleague = make.clinician(team, staff_local_id="CP0002")
    make.activity_type("FORMULATION_PATIENT").snomed_concept_id = "11429006"
    meeting = create_activity(
        actor=lead, data=_meeting(team, 90, PATIENTS), co_deliverers=[CoDeliverer(colleague.id, 60)]
    )
    return {"org": org, "team": team, "lead": lead, "colleague": colleague, "meeting": meeting}


def test_four_patients_give_four_rows_adding_up_to_the_meeting(mdt: dict[str, Any]) -> None:
    rows = list(extract_values(extract_rows(mdt["org"], MONTH)))
    assert [r[0] for r in rows] == PATIENTS
    assert sum(int(r[5]) for r in rows) == 90
    assert [int(r[5]) for r in rows] == [23, 23, 22, 22]
    assert {r[1] for r in rows} == {"CP0001"}  # the care professional who logged it
    keys = Counter((r[0], r[3], r[4]) for r in rows)
    assert max(keys.values()) == 1


def test_co_deliverers_are_reported_as_not_represented(mdt: dict[str, Any]) -> None:
    report = list(validation_values(extract_rows(mdt["org"], MONTH)))
    lines = [r for r in report if r[0] == "not represented"]
    assert len(lines) == 1 and lines[0][1] == str(mdt["meeting"].id) and "co-delivered with 1" in lines[0][5]


def test_a_second_meeting_at_the_same_time_about_one_patient_is_left_out_and_listed(
    mdt: dict[str, Any],
) -> None:
    again = create_activity(actor=mdt["lead"], data=_meeting(mdt["team"], 30, ["SR-1002"]))
    rows = list(extract_rows(mdt["org"], MONTH))
    emitted = [r.values for r in rows if r.is_valid]
    assert len(emitted) == 4
    assert len({(v[0], v[3], v[4]) for v in emitted}) == len(emitted)
    left_out = [r for r in rows if not r.is_valid]
    assert [r.activity_id for r in left_out] == [again.id]
    assert "same ServiceRequestID, date and time" in left_out[0].errors[0]


@pytest.mark.parametrize(("duration", "parts"), [(90, 4), (7, 3), (3, 3), (1440, 20), (61, 1)])
def test_apportioning_adds_up_exactly(duration: int, parts: int) -> None:
    shares = apportion(duration, parts)
    assert sum(shares) == duration and len(shares) == parts
    assert max(shares) - min(shares) <= 1 and shares == sorted(shares, reverse=True)


def test_each_service_request_is_checked_no_duplicates_at_most_twenty(mdt: dict[str, Any]) -> None:
    lead, team = mdt["lead"], mdt["team"]
    for requests, wanted in (
        (["SR-1", "sr-1"], "once"),
        (["SR-1", "SR 2!"], "letters, numbers and hyphens"),
        (["SR-1", "9434765919"], "NHS number"),
        ([f"SR-{i}" for i in range(21)], "at most 20"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            create_activity(actor=lead, data=_meeting(team, 30, requests, time(8, 13)))
        assert any(wanted in m for m in refused.value.fields["service_request_ids"]), requests


def test_changing_the_service_requests_keeps_their_order(mdt: dict[str, Any]) -> None:
    meeting = mdt["meeting"]
    data = ActivityInput.from_activity(meeting)
    data.service_request_id, data.more_service_request_ids = "SR-1003", ["SR-1001"]
    update_activity(actor=mdt["lead"], activity=meeting, data=data, expected_version=meeting.version)
    assert meeting.service_request_ids == ["SR-1003", "SR-1001"]
    assert meeting.service_request_id == "SR-1003"
