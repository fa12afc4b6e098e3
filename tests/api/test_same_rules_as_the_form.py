"""The API and the web log form refuse exactly the same records, with the same messages (one rule set)."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityType
from tests.api.conftest import activity_json, recipient_id, type_id

#: (form overrides, API overrides) of one otherwise valid record. ``team`` and ``other_team`` are
#: replaced by the ids of the clinician's team and of a team that is not theirs.
CASES = {
    "valid": ({}, {}),
    "future date": ({"activity_on": "+2"}, {"activity_on": "+2"}),
    "before 2000": ({"activity_on": "1999-12-31"}, {"activity_on": "1999-12-31"}),
    "too long": ({"duration": "1441"}, {"duration_minutes": 1441}),
    "too many people": ({"people_reached": "10001"}, {"people_reached": 10001}),
    "no recipients": ({"recipient_type_ids": []}, {"recipient_type_ids": []}),
    "unknown mechanism": ({"consultation_mechanism_code": "ZZ"}, {"consultation_mechanism_code": "ZZ"}),
    "not my team": ({"team_id": "other_team"}, {"team_id": "other_team"}),
    "nhs number in note": ({"note": "Discussed 943 476 5919"}, {"note": "Discussed 943 476 5919"}),
    "note too long": ({"note": "x" * 501}, {"note": "x" * 501}),
    "referral on a non-patient type": ({"service_request_id": "REF-1"}, {"service_request_id": "REF-1"}),
    "patient type without time or referral": (
        {"activity_type_id": "CONSULT_PATIENT"},
        {"activity_type_id": "CONSULT_PATIENT"},
    ),
    "nhs number as referral": (
        {"activity_type_id": "CONSULT_PATIENT", "start_time": "10:00", "service_request_id": "9434765919"},
        {"activity_type_id": "CONSULT_PATIENT", "start_time": "10:00", "service_request_id": "9434765919"},
    ),
    "retired type": ({"activity_type_id": "RETIRED"}, {"activity_type_id": "RETIRED"}),
}


def _resolve(values, team, other_team, retired):
    out = {}
    for name, value in values.items():
        if value == "other_team":
            value = other_team.id
        elif value == "RETIRED":
            value = retired.id
        elif name == "activity_type_id":
            value = type_id(value)
        elif name == "activity_on" and value == "+2":
            value = (date.today() + timedelta(days=2)).isoformat()
        out[name] = value
    return out


def _form(team, values):
    form = {
        "activity_type_id": str(type_id("CONSULT_TEAM")),
        "activity_on": date.today().isoformat(),
        "duration": "45",
        "team_id": str(team.id),
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [str(recipient_id("MH_TEAM_STAFF"))],
        "people_reached": "3",
        "note": "",
        "start_time": "",
        "service_request_id": "",
    }
    form.update({k: (str(v) if isinstance(v, int) else v) for k, v in values.items()})
    return form


def _count(clinician):
    return db.session.scalar(select(func.count(Activity.id)).where(Activity.clinician_id == clinician.id))


@pytest.mark.parametrize("case", sorted(CASES))
def test_form_and_api_refuse_the_same_inputs_with_the_same_messages(
    case, make, client, login, api_as, team, clinician
):
    other_team = make.team()
    retired = db.session.scalar(select(ActivityType).where(ActivityType.code == "TRAIN_PUBLIC"))
    retired.is_active = False
    db.session.commit()
    form_values, api_values = (_resolve(v, team, other_team, retired) for v in CASES[case])

    response = api_as(clinician).post("/activities", activity_json(team, **api_values))
    api_errors = response.get_json().get("error", {}).get("fields", {})
    login(clinician)
    page = client.post_form("/log", _form(team, form_values))
    page_text = html.unescape(page.get_data(as_text=True))

    if case == "valid":
        assert response.status_code == 201 and page.status_code == 302
        assert _count(clinician) == 2
        return
    assert response.status_code == 422 and page.status_code == 422
    assert api_errors, case
    for messages in api_errors.values():
        for message in messages:
            assert message in page_text, f"{case}: the form does not say {message!r}"
    # ...and the form shows no refusal the API did not give.
    assert page_text.count('class="nhsuk-error-message"') == sum(len(m) for m in api_errors.values())
    assert _count(clinician) == 0
