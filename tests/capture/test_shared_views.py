"""The log form with colleagues and several service requests, and the shared-session page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity, MonthLock
from indirect_work.core.dates import month_start
from indirect_work.extensions import db
from tests.capture.helpers import form_for, type_id


def _latest(clinician: Any) -> Activity:
    return db.session.scalars(
        select(Activity).where(Activity.clinician_id == clinician.id).order_by(Activity.id.desc())
    ).first()


def test_log_form_lists_team_colleagues_and_saves_two_with_their_own_time(signed_in, make, team, clinician):
    one, two = make.clinician(team, full_name="Bea Colleague"), make.clinician(team, full_name="Cy Colleague")
    page = signed_in.get("/log").text
    assert "Bea Colleague" in page and 'data-testid="colleagues"' in page
    data = form_for(
        team, duration="1h", co_deliverer_ids=[str(one.id), str(two.id)], **{f"co_minutes_{two.id}": "45"}
    )
    assert signed_in.post_form("/log", data).status_code == 302
    activity = _latest(clinician)
    assert sorted((d.clinician_id, d.minutes) for d in activity.co_deliverers) == [(one.id, 60), (two.id, 45)]
    added = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "activity.co_deliverer.add", AuditEvent.object_id == str(activity.id)
        )
    ).all()
    assert len(added) == 2


def test_a_colleague_outside_ones_teams_is_refused_next_to_the_field(signed_in, make, team, clinician):
    outsider = make.clinician(make.team(), full_name="Dee Outsider")
    response = signed_in.post_form("/log", form_for(team, co_deliverer_ids=[str(outsider.id)]))
    assert response.status_code == 422
    assert re.search(r'id="co_deliverer_ids-error"[^>]*>.*?clinicians of the team', response.text, re.S)
    assert _latest(clinician) is None


def test_two_service_requests_on_a_patient_specific_record(signed_in, team, clinician):
    data = form_for(
        team,
        activity_type_id=str(type_id("CONSULT_PATIENT")),
        start_time="10:17",
        service_request_id="SR-77",
        more_service_request_ids="SR-78\r\nSR-79\r\n",
    )
    assert signed_in.post_form("/log", data).status_code == 302
    assert _latest(clinician).service_request_ids == ["SR-77", "SR-78", "SR-79"]
    again = signed_in.post_form(
        "/log", {**data, "more_service_request_ids": "SR-77", "submission_token": "x-2"}
    )
    assert again.status_code == 422 and 'id="more_service_request_ids-error"' in again.text


def test_co_deliverer_sees_it_shared_changes_only_their_time_and_leaves(client, login, make, team, clinician):
    colleague = make.clinician(team, full_name="Bea Colleague")
    other = make.clinician(team, full_name="Cy Colleague")
    login(clinician)
    data = form_for(team, duration="1h", co_deliverer_ids=[str(colleague.id), str(other.id)])
    assert client.post_form("/log", data).status_code == 302
    activity = _latest(clinician)
    db.session.commit()
    assert client.post_form("/sign-out").status_code in (302, 303)
    login(colleague)
    listing = client.get("/activities").text
    assert f'data-activity-id="{activity.id}"' in listing and 'data-testid="shared"' in listing
    assert f"/activities/{activity.id}/shared" in listing
    edit = client.post_form(f"/activities/{activity.id}/edit", form_for(team))
    assert edit.status_code == 403, edit.text[-3000:]
    assert client.post_form(f"/activities/{activity.id}/shared", {"minutes": "40"}).status_code == 302
    db.session.expire_all()
    assert activity.part_of(colleague.id).minutes == 40 and activity.duration_minutes == 60
    assert activity.part_of(other.id).minutes == 60
    refused = client.post_form(f"/activities/{activity.id}/shared", {"remove": str(other.id)})
    assert refused.status_code == 403
    assert (
        client.post_form(f"/activities/{activity.id}/shared", {"remove": str(colleague.id)}).status_code
        == 302
    )
    db.session.expire_all()
    assert activity.co_deliverer_ids == {other.id}
    assert client.get(f"/activities/{activity.id}/shared").status_code == 404  # no longer theirs


def test_creator_cannot_remove_colleagues_once_the_month_is_locked(client, login, make, team, clinician):
    colleague = make.clinician(team)
    login(clinician)
    day = date.today().replace(day=1)
    assert (
        client.post_form(
            "/log", form_for(team, activity_on=day.isoformat(), co_deliverer_ids=[str(colleague.id)])
        ).status_code
        == 302
    )
    activity = _latest(clinician)
    db.session.add(MonthLock(team_id=team.id, month=month_start(day), is_locked=True))
    db.session.commit()
    response = client.post_form(f"/activities/{activity.id}/shared", {"remove": str(colleague.id)})
    assert response.status_code == 422 and "locked" in response.text
    db.session.expire_all()
    assert activity.co_deliverer_ids == {colleague.id}


def test_a_shared_session_moves_only_to_a_team_of_every_co_deliverer(make, team, clinician):
    from indirect_work.auth.models import RoleAssignment
    from indirect_work.capture.activity_data import ActivityInput
    from indirect_work.capture.services import CoDeliverer, create_activity, update_activity
    from indirect_work.core.errors import ValidationFailed

    other_team = make.team()
    clinician.role_assignments.append(RoleAssignment(role="clinician", team_id=other_team.id))
    colleague = make.clinician(team)
    db.session.flush()
    activity = create_activity(actor=clinician, data=_data(team), co_deliverers=[CoDeliverer(colleague.id)])
    moved = ActivityInput.from_activity(activity)
    moved.team_id = other_team.id
    try:
        update_activity(actor=clinician, activity=activity, data=moved, expected_version=activity.version)
    except ValidationFailed as refused:
        assert "team_id" in refused.fields
    else:
        raise AssertionError("moving the session away from its co-deliverer's team was allowed")
    assert activity.team_id == team.id


def _data(team):
    from tests.capture.helpers import data_for

    return data_for(team)
