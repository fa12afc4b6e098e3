"""Reference data, teams by role, and the aggregate roll-ups per role (commissioners suppressed)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from indirect_work.core.dates import month_end, month_start
from indirect_work.extensions import db
from tests.api.conftest import type_id

TODAY = date.today()
PERIOD = f"start={(TODAY - timedelta(days=30)).isoformat()}&end={TODAY.isoformat()}"
#: Commissioners receive whole months only (the publication grid).
MONTH = f"start={month_start(TODAY).isoformat()}&end={month_end(TODAY).isoformat()}"


def test_reference_lists(api):
    categories = api.get("/activity-categories").get_json()["items"]
    consultation = next(c for c in categories if c["code"] == "CONSULTATION")
    assert any(t["code"] == "CONSULT_TEAM" for t in consultation["types"])
    types = {t["code"]: t for t in api.get("/activity-types").get_json()["items"]}
    assert types["CONSULT_PATIENT"]["is_patient_specific"] is True
    assert types["CONSULT_TEAM"]["id"] == type_id("CONSULT_TEAM")
    assert any(m["code"] == "01" for m in api.get("/consultation-mechanisms").get_json()["items"])
    assert any(r["code"] == "GP_PRIMARY_CARE" for r in api.get("/recipient-types").get_json()["items"])
    assert any(p["code"] == "CLIN_PSY" for p in api.get("/professions").get_json()["items"])


def test_teams_are_scoped_by_role(make, api_as, team):
    other_org = make.organisation()
    elsewhere = make.team(other_org)
    same_org_other_team = make.team(team.organisation)
    clinician_teams = {t["id"] for t in api_as(make.clinician(team)).get("/teams").get_json()["items"]}
    assert clinician_teams == {team.id}
    commissioner_teams = {
        t["id"] for t in api_as(make.commissioner(team.organisation)).get("/teams").get_json()["items"]
    }
    assert commissioner_teams == {team.id, same_org_other_team.id}
    admin_teams = {t["id"] for t in api_as(make.admin()).get("/teams").get_json()["items"]}
    assert {team.id, same_org_other_team.id, elsewhere.id} <= admin_teams


@pytest.fixture
def two_teams(make):
    """Team A: four clinicians with consultation and one with training; team B: one clinician."""
    a, b = make.team(), make.team()
    people = [make.clinician(a) for _ in range(4)]
    for person in people:
        make.activity(person, duration_minutes=60)
    trainer = make.clinician(a)
    make.activity(trainer, type_code="TRAIN_STAFF", duration_minutes=30)
    loner = make.clinician(b)
    make.activity(loner, duration_minutes=15)
    db.session.commit()
    return a, b, people, trainer, loner


def test_clinician_gets_their_own_figures(api_as, two_teams):
    _, _, people, _, _ = two_teams
    body = api_as(people[0]).get(f"/rollups?{PERIOD}").get_json()
    assert body["scope"]["basis"] == "own_records"
    assert (body["totals"]["activities"], body["totals"]["minutes"]) == (1, 60)


def test_lead_gets_their_teams_and_404_for_another(make, api_as, two_teams):
    a, b, _, _, _ = two_teams
    lead = api_as(make.lead(a))
    body = lead.get(f"/rollups?{PERIOD}&by=category").get_json()
    assert body["scope"] == {
        "basis": "led_teams",
        "organisation_id": None,
        "team_ids": [a.id],
        "suppression_threshold": None,
        "disclosure_rounding": None,
    }
    assert body["totals"]["minutes"] == 4 * 60 + 30 and body["totals"]["clinicians"] == 5
    assert {r["labels"][0]: r["minutes"] for r in body["rows"]} == {
        "Consultation": 240,
        "Teaching and training delivered": 30,
    }
    assert lead.get(f"/rollups?{PERIOD}&team_id={b.id}").status_code == 404
    monthly = lead.get(f"/rollups?{PERIOD}&by=month,team").get_json()
    assert all(len(r["keys"]) == 2 for r in monthly["rows"])


def test_commissioner_gets_suppressed_aggregates_only(make, api_as, two_teams, app):
    a, _, _, _, _ = two_teams
    commissioner = api_as(make.commissioner(a.organisation))
    body = commissioner.get(f"/rollups?{MONTH}&by=category").get_json()
    assert body["scope"]["basis"] == "commissioned_organisation"
    assert body["scope"]["suppression_threshold"] == app.config["IW_SUPPRESSION_THRESHOLD"] == 3
    assert body["scope"]["disclosure_rounding"] == app.config["IW_DISCLOSURE_ROUNDING"] == 5
    # Six activities, published rounded to the nearest 5; 270 minutes as 5 hours (300 minutes).
    assert body["totals"]["activities"] == 5 and body["totals"]["suppressed"] is False
    assert (body["totals"]["hours"], body["totals"]["minutes"]) == (5.0, 300)
    rows = {r["labels"][0]: r for r in body["rows"]}
    # Training comes from one clinician: hidden. Consultation too, or training = total - consultation.
    assert rows["Teaching and training delivered"]["suppressed"] is True
    assert rows["Teaching and training delivered"]["minutes"] is None
    assert rows["Consultation"]["suppressed"] is True
    assert commissioner.get("/activities").status_code == 403


def test_commissioner_small_total_is_suppressed(make, api_as, two_teams):
    _, b, _, _, loner = two_teams
    org = make.organisation()
    team = make.team(org)
    make.activity(make.clinician(team), duration_minutes=20)
    db.session.commit()
    body = api_as(make.commissioner(org)).get(f"/rollups?{MONTH}").get_json()
    assert body["totals"]["suppressed"] is True and body["totals"]["minutes"] is None


def test_commissioner_limits(make, api_as, two_teams):
    a, _, _, _, _ = two_teams
    commissioner = api_as(make.commissioner(a.organisation))
    fields = commissioner.get(f"/rollups?{MONTH}&by=team&team_id={a.id}").get_json()["error"]["fields"]
    assert set(fields) == {"by", "team_id"}
    assert commissioner.get(f"/rollups?{MONTH}&organisation_id={make.organisation().id}").status_code == 404
    # Only the published grid: no part of a month, no filter the workbook does not offer.
    fields = commissioner.get(f"/rollups?{PERIOD}&profession_id=1").get_json()["error"]["fields"]
    assert set(fields) == {"start", "end", "profession_id"}


def test_admin_sees_everything_and_bad_queries_are_422(make, api_as, two_teams):
    a, b, _, _, _ = two_teams
    admin = api_as(make.admin())
    body = admin.get(f"/rollups?{PERIOD}&team_id={b.id}").get_json()
    assert body["totals"]["minutes"] == 15
    backwards = admin.get(f"/rollups?start={TODAY.isoformat()}&end={(TODAY - timedelta(days=1)).isoformat()}")
    assert backwards.status_code == 422 and set(backwards.get_json()["error"]["fields"]) == {"end"}
    unknown = admin.get(f"/rollups?{PERIOD}&by=colour&by=category&by=category")
    assert unknown.status_code == 422 and set(unknown.get_json()["error"]["fields"]) == {"by"}
    twice = admin.get(f"/rollups?{PERIOD}&by=category&by=category")
    assert twice.get_json()["error"]["fields"] == {"by": ["Group by each dimension once"]}
    assert admin.get("/rollups").get_json()["error"]["fields"].keys() == {"start", "end"}


def test_user_without_a_role_gets_403(make, api_as):
    assert api_as(make.user()).get(f"/rollups?{PERIOD}").status_code == 403
