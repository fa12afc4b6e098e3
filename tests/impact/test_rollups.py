"""Impact figures on the dashboard and in the roll-ups, checked against a recomputation from the rows."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import set_outcomes
from indirect_work.core.dates import month_start
from indirect_work.impact.models import FeedbackAnswer, FeedbackResponse
from indirect_work.impact.rollups import Scope, impact_for
from indirect_work.impact.services import create_link
from tests.impact.test_feedback import _answer

ANSWERS = ([5, 4, 4, 5], [4, 4, 3, 5], [3, 5, 4, 4])


@pytest.fixture
def answered(app, make, db):
    team = make.team()
    clinician = make.clinician(team)
    activity = make.activity(clinician, team, type_code="TRAIN_STAFF", people_reached=6)
    link = create_link(actor=clinician, activity=activity)
    set_outcomes(actor=clinician, activity=activity, values=["STAFF_SKILLS"])
    db.session.commit()
    for values in ANSWERS:
        _answer(app, link.token, values)
    return team, clinician, activity


def recomputed_means(db, team_id):
    """Straight from the answer rows: mean of each question code over the team's live activities."""
    values = defaultdict(list)
    rows = db.session.execute(
        select(FeedbackAnswer.question_code, FeedbackAnswer.value)
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
        .join(Activity, Activity.id == FeedbackResponse.activity_id)
        .where(Activity.team_id == team_id, Activity.deleted_at.is_(None))
    )
    for code, value in rows:
        values[code].append(value)
    return {code: sum(v) / len(v) for code, v in values.items()}


def test_rollup_matches_the_rows(answered, db):
    team, _, activity = answered
    month = month_start(activity.activity_on)
    impact = impact_for(Scope(start=month, end=activity.activity_on, team_ids=frozenset({team.id})))
    [row] = impact.rows
    assert (row.responses, row.people_reached, row.clinicians, row.response_rate) == (3, 6, 1, 0.5)
    [category] = impact.categories
    expected = recomputed_means(db, team.id)
    assert {item.code: item.mean for item in category.items} == {k: round(v, 2) for k, v in expected.items()}
    relevant = next(item for item in category.items if item.code == "relevant")
    assert relevant.distribution == (0, 0, 1, 1, 1)
    assert [(o.code, o.activities) for o in impact.outcomes] == [("STAFF_SKILLS", 1)]


def test_deleted_activities_leave_the_figures(answered, db):
    from indirect_work.core.db import utcnow

    team, _, activity = answered
    activity.deleted_at = utcnow()
    db.session.flush()
    impact = impact_for(
        Scope(
            start=month_start(activity.activity_on), end=activity.activity_on, team_ids=frozenset({team.id})
        )
    )
    assert impact.rows == () and impact.categories == () and impact.outcomes == ()


def test_lead_dashboard_shows_the_impact_section(answered, client, login, make, db):
    team, _, activity = answered
    login(make.lead(team))
    page = client.get(f"/dashboard/teams/{team.id}").get_data(as_text=True)
    assert 'id="impact"' in page
    assert 'data-testid="impact-responses">3<' in page
    for code, mean in recomputed_means(db, team.id).items():
        assert f'data-testid="impact-mean-{code}">{mean:.2f}<' in page
    assert "Staff skills or confidence developed" in page


def test_api_rollup_for_leads_matches_the_rows_and_never_carries_free_text(answered, app, login, make, db):
    team, clinician, activity = answered
    lead_client = app.test_client()
    login(make.lead(team), target=lead_client)
    day = activity.activity_on.isoformat()
    body = lead_client.get(f"/api/v1/impact?team_id={team.id}&start={day}&end={day}").get_json()
    assert body["responses"] == 3 and body["rows"][0]["response_rate"] == 0.5
    means = {item["code"]: item["mean"] for item in body["categories"][0]["items"]}
    assert means == {k: round(v, 2) for k, v in recomputed_means(db, team.id).items()}
    assert body["outcomes"][0]["code"] == "STAFF_SKILLS"
    other = make.team()
    refused = lead_client.get(f"/api/v1/impact?team_id={other.id}&start={day}&end={day}")
    assert refused.status_code == 403
    summary = lead_client.get(f"/api/v1/activities/{activity.id}/impact").get_json()
    assert summary["first"]["responses"] == 3 and summary["outcomes"] == ["STAFF_SKILLS"]
    commissioner = app.test_client()
    login(make.commissioner(team.organisation), target=commissioner)
    assert commissioner.get(f"/api/v1/activities/{activity.id}/impact").status_code == 404
    assert commissioner.get(f"/api/v1/impact?team_id={team.id}&start={day}&end={day}").status_code == 403
