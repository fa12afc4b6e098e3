"""Outcomes through the API: the same list and rules as the form, and changeable in a locked month."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import MonthLock
from indirect_work.core.dates import month_start
from tests.api.conftest import activity_json


def test_create_with_outcomes_and_change_them_after_the_month_is_locked(api, team, clinician, db):
    created = api.post("/activities", activity_json(team, outcomes=["CARE_PLAN_CHANGED"]))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["outcomes"] == ["CARE_PLAN_CHANGED"]
    db.session.add(MonthLock(team_id=team.id, month=month_start(db_date(body)), locked_by_id=clinician.id))
    db.session.commit()
    refused = api.patch(f"/activities/{body['id']}", {"version": 1, "duration_minutes": 90})
    assert refused.status_code in (409, 422), refused.get_json()
    changed = api.patch(
        f"/activities/{body['id']}",
        {"version": 1, "outcomes": ["referral avoided or redirected", "NOT_YET_KNOWN"]},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["outcomes"] == ["REFERRAL_AVOIDED", "NOT_YET_KNOWN"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.outcomes_changed"))


def test_unknown_outcome_is_refused_and_nothing_is_stored(api, team):
    response = api.post("/activities", activity_json(team, outcomes=["MIRACLE_CURE"]))
    assert response.status_code == 422
    assert "outcomes" in str(response.get_json())
    assert api.get("/activities").get_json()["total"] == 0


def db_date(body):
    from datetime import date

    return date.fromisoformat(body["activity_on"])
