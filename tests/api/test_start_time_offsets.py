"""The API refuses a start time with a UTC offset rather than storing its clock reading as local time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from tests.api.conftest import activity_json, recipient_id, type_id


def _patient_body(team, start_time):
    return activity_json(
        team,
        activity_type_id=type_id("CONSULT_PATIENT"),
        recipient_type_ids=[recipient_id("FAMILY_CARER")],
        start_time=start_time,
        service_request_id="SR-77",
        activity_on=date.today().isoformat(),
    )


@pytest.mark.parametrize("sent", ["10:00:00+05:00", "10:00+01:00", "10:00:00Z", "10:00:00-03:30"])
def test_a_start_time_with_an_offset_is_refused_naming_the_field(api, team, clinician, sent):
    response = api.post("/activities", _patient_body(team, sent))
    assert response.status_code == 422, response.get_json()
    messages = response.get_json()["error"]["fields"]["start_time"]
    assert any("offset" in m for m in messages)
    assert db.session.scalar(select(Activity.id).where(Activity.clinician_id == clinician.id)) is None


def test_a_local_start_time_is_stored_as_sent(api, team, clinician):
    response = api.post("/activities", _patient_body(team, "10:45"))
    assert response.status_code == 201
    assert response.get_json()["start_time"] == "10:45:00"


def test_changing_the_start_time_refuses_an_offset_too(api, team, clinician):
    created = api.post("/activities", _patient_body(team, "10:45")).get_json()
    response = api.patch(
        f"/activities/{created['id']}", {"version": created["version"], "start_time": "11:00+02:00"}
    )
    assert response.status_code == 422 and "start_time" in response.get_json()["error"]["fields"]
    assert db.session.get(Activity, created["id"]).start_time.isoformat() == "10:45:00"
