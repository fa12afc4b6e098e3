"""Hostile and careless input gets a refusal, never a 500: ids, dates, JSON bodies and text (issue 13).

Each case is one that answered 500 with a traceback before ``core/inputs.py``; all run on SQLite and
PostgreSQL (PostgreSQL is the stricter: "integer out of range", no NUL in text).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from indirect_work.api.tokens import create_token
from indirect_work.auth.models import Role, RoleAssignment
from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from indirect_work.org.models import Team
from tests.capture.helpers import count_activities, form_for

HUGE = "99999999999999999999"
BAD_TEXT_MESSAGE = "Remove the control or invalid characters (such as NUL) from this field"


@pytest.fixture
def world(make):
    """An admin who also leads and works in a team with one record, a commissioner, and the team."""
    team = make.team()
    admin = make.admin(default_team_id=team.id, organisation_id=team.organisation_id)
    admin.role_assignments += [
        RoleAssignment(role=Role.CLINICIAN.value, team_id=team.id),
        RoleAssignment(role=Role.TEAM_LEAD.value, team_id=team.id),
    ]
    db.session.flush()
    activity = make.activity(admin, team)
    return {"team": team, "admin": admin, "activity": activity}


@pytest.fixture
def api_as(client):
    """``api_as(user).headers()``: the bearer header of a fresh token of ``user``."""

    class Token:
        def __init__(self, secret: str) -> None:
            self.secret = secret

        def headers(self) -> dict[str, str]:
            return {"Authorization": f"Bearer {self.secret}"}

    def _api_as(user):
        new = create_token(user=user, name="tests", lifetime_days=30)
        db.session.commit()
        return Token(new.secret)

    return _api_as


@pytest.fixture
def as_admin(client, login, world):
    login(world["admin"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/activities/{HUGE}/edit",
        f"/activities/{HUGE}/delete",
        f"/dashboard/teams/{HUGE}",
        f"/dashboard/teams/{HUGE}/records",
        f"/admin/organisations/{HUGE}/edit",
        f"/admin/teams/{HUGE}/edit",
        f"/admin/people/{HUGE}/edit",
        f"/admin/professions/{HUGE}/edit",
        f"/admin/taxonomy/types/{HUGE}/edit",
    ],
)
def test_an_id_beyond_the_database_range_in_a_path_is_not_found(as_admin, url):
    assert as_admin.get(url).status_code == 404


@pytest.mark.parametrize("path", ["records", "records.csv"])
def test_a_huge_clinician_filter_is_refused_next_to_the_field(as_admin, world, path):
    response = as_admin.get(f"/dashboard/teams/{world['team'].id}/{path}?clinician={HUGE}")
    assert response.status_code in (200, 400, 422), response.status_code
    if path == "records":
        assert "Enter a smaller number" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/commissioner-reports/", "/commissioner-reports/workbook", "/commissioner-reports/mhsds-extract"],
)
def test_a_huge_organisation_on_the_commissioner_pages_is_refused(as_admin, path):
    response = as_admin.get(f"{path}?organisation={HUGE}&month=2026-01")
    assert response.status_code in (200, 400, 403, 404, 422), response.status_code


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_huge_api_activity_id_is_not_found(client, api_as, world, method):
    api = api_as(world["admin"])
    response = client.open(
        f"/api/v1/activities/{HUGE}", method=method, json={"note": "x"}, headers=api.headers()
    )
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "url, field",
    [
        ("/admin/teams/new", "organisation_id"),
        ("/admin/people/new", "organisation_id"),
        ("/admin/people/new", "profession_id"),
        ("/admin/people/new", "clinician_team_ids"),
    ],
)
def test_huge_ids_in_admin_forms_are_refused_and_nothing_saved(as_admin, url, field):
    before = db.session.scalar(select(db.func.count()).select_from(Team))
    data = {
        "local_id": "HUGE1",
        "name": "Hostile",
        "service_team_type_code": "A06",
        "full_name": "Hostile Person",
        "email": "hostile@example.org",
        field: HUGE,
    }
    response = as_admin.post_form(url, data)
    assert response.status_code in (200, 422), response.status_code
    assert db.session.scalar(select(db.func.count()).select_from(Team)) == before


@pytest.mark.parametrize(
    "url",
    [
        "/activities/week?start=0001-01-01",
        "/activities/week?start=9999-12-31",
        "/activities?period=custom&from=0001-01-01&to=9999-12-31",
        "/dashboard/teams/{team}?start=9999-12",
        "/dashboard/teams/{team}?end=9999-12",
        "/dashboard/teams/{team}/records?start=9999-12",
        "/dashboard/teams/{team}/records.csv?start=0001-01",
        "/admin/audit?date_to=9999-12-31",
        "/admin/audit?date_from=0001-01-01",
        "/admin/audit/export.csv?date_to=9999-12-31",
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_refused_not_crashed(as_admin, world, url):
    response = as_admin.get(url.format(team=world["team"].id))
    assert response.status_code in (200, 400, 422), response.status_code


def test_dashboard_names_an_out_of_window_month(as_admin, world):
    response = as_admin.get(f"/dashboard/teams/{world['team'].id}?start=9999-12")
    assert response.status_code in (400, 422) and "YYYY-MM" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_api_updated_since_at_the_calendar_edge_is_a_422_naming_the_field(client, api_as, world, value):
    api = api_as(world["admin"])
    response = client.get("/api/v1/activities", query_string={"updated_since": value}, headers=api.headers())
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "updated_since" in response.get_json()["error"]["fields"]


def _post_raw(client, api, body: str):
    headers = {**api.headers(), "Content-Type": "application/json"}
    return client.post("/api/v1/activities", data=body.encode(), headers=headers)


def _api_body(world, note: str) -> str:
    body = {
        "activity_type_id": world["activity"].activity_type_id,
        "activity_on": world["activity"].activity_on.isoformat(),
        "duration_minutes": 30,
        "team_id": world["team"].id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [r.id for r in world["activity"].recipient_types],
        "people_reached": 1,
    }
    text = json.dumps(body)
    return text[:-1] + f', "note": "{note}"}}'


@pytest.mark.parametrize("note", ["\\ud800", "before\\u0000after"])
def test_api_refuses_a_lone_surrogate_or_nul_naming_the_field(client, api_as, world, note):
    api = api_as(world["admin"])
    before = count_activities()
    response = _post_raw(client, api, _api_body(world, note))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["fields"]["note"] == [BAD_TEXT_MESSAGE]
    assert count_activities() == before
    # The same body with a plain note is accepted, so the refusal is about the character alone.
    assert _post_raw(client, api, _api_body(world, "plain")).status_code == 201


def test_api_refuses_json_nested_100000_deep(client, api_as, world):
    api = api_as(world["admin"])
    response = _post_raw(client, api, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 422
    assert "nested" in response.get_json()["error"]["fields"]["_body"][0]
    response = client.patch(
        f"/api/v1/activities/{world['activity'].id}",
        data=('{"note": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422


def test_api_refuses_nul_in_a_query_parameter(client, api_as, world):
    api = api_as(world["admin"])
    response = client.get("/api/v1/rollups?by=team\x00", headers=api.headers())
    assert response.status_code == 422


def test_log_form_refuses_nul_next_to_the_field_and_keeps_what_was_typed(as_admin, world):
    before = count_activities()
    response = as_admin.post_form("/log", form_for(world["team"], note="Ward\x00round advice"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert BAD_TEXT_MESSAGE in html
    assert "1h30" in html  # what was typed is still in the form
    assert count_activities() == before


def test_log_form_with_an_overlong_submission_token_saves_once(as_admin, world):
    before = count_activities()
    response = as_admin.post_form("/log", form_for(world["team"], submission_token="t" * 500, note="long"))
    assert response.status_code == 302, response.status_code
    assert count_activities() == before + 1
    saved = db.session.scalar(select(Activity).where(Activity.note == "long"))
    assert saved is not None and saved.submission_token is None


def test_admin_form_refuses_nul_next_to_the_field(as_admin):
    response = as_admin.post_form("/admin/organisations/new", {"ods_code": "RX1", "name": "Bad\x00Name"})
    assert response.status_code in (200, 422)
    assert BAD_TEXT_MESSAGE in response.get_data(as_text=True)


def test_a_405_says_which_methods_are_allowed(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    api = client.put("/api/v1/me", headers={"Accept": "application/json"})
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
