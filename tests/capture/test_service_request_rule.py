"""A service request identifier the MHS204 extract would refuse is refused at capture, on every path.

One rule (``capture.identifiers``) serves capture and the extract, so an identifier is never stored
only to fail months later when the commissioner's extract is built.
"""

from __future__ import annotations

import html
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from indirect_work.api.tokens import create_token
from indirect_work.capture.identifiers import LEADING_SYMBOL_MESSAGE
from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from indirect_work.reports import mhsds_extract
from tests.capture.helpers import form_for, recipient_id, type_id

REFUSED = ["-SR1", "-0001", "-"]


def _stored(clinician) -> list[str | None]:
    return list(
        db.session.scalars(select(Activity.service_request_id).where(Activity.clinician_id == clinician.id))
    )


@pytest.mark.parametrize("value", REFUSED)
def test_the_log_form_refuses_it_next_to_the_field_and_keeps_what_was_typed(
    signed_in, team, clinician, value
):
    form = form_for(
        team, activity_type_id=str(type_id("CONSULT_PATIENT")), start_time="10:15", service_request_id=value
    )
    page = signed_in.post_form("/log", form)
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    assert LEADING_SYMBOL_MESSAGE in text and f'value="{value}"' in text
    assert _stored(clinician) == []


def test_the_import_refuses_it_in_the_preview(signed_in, clinician):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    content = (
        "date,activity_type,duration,team,consultation_mechanism,recipient_types,people_reached,start_time,"
        f"service_request_id,note\n{yesterday},CONSULT_PATIENT,30,CMHT-N,02,FAMILY_CARER,1,09:15,-SR1,\n"
        f"{yesterday},CONSULT_PATIENT,30,CMHT-N,02,FAMILY_CARER,1,09:15,SR1,\n"
    ).encode()
    page = signed_in.post_form(
        "/activities/import", {"file": (io.BytesIO(content), "week.csv")}, content_type="multipart/form-data"
    )
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert f"<td>2</td><td>service_request_id</td><td>{LEADING_SYMBOL_MESSAGE}</td>" in text
    assert "<strong>1</strong> row can be imported" in text


def test_the_api_refuses_it_naming_the_field(client, team, clinician):
    secret = create_token(user=clinician, name="epr", lifetime_days=30).secret
    db.session.commit()
    body = {
        "activity_type_id": type_id("CONSULT_PATIENT"),
        "activity_on": date.today().isoformat(),
        "duration_minutes": 30,
        "team_id": team.id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [recipient_id("FAMILY_CARER")],
        "start_time": "10:15",
        "service_request_id": "-SR1",
    }
    response = client.post("/api/v1/activities", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["service_request_id"] == [LEADING_SYMBOL_MESSAGE]
    body["service_request_id"] = "SR-1"
    ok = client.post("/api/v1/activities", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 201 and _stored(clinician) == ["SR-1"]


def test_the_extract_refuses_exactly_what_capture_refuses():
    for value in REFUSED:
        assert not mhsds_extract.is_extractable_local_id(value)
    assert mhsds_extract.is_extractable_local_id("SR-000123")
