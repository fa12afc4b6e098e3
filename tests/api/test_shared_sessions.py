"""The API of a shared session: colleagues named on create, own time, removals."""

from __future__ import annotations

from typing import Any

from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from tests.api.conftest import activity_json


def _put(api: Any, path: str, body: Any) -> Any:
    return api.client.put("/api/v1" + path, json=body, headers=api._headers(None))


def _delete(api: Any, path: str) -> Any:
    return api.client.delete("/api/v1" + path, headers=api._headers(None))


def test_co_deliverers_change_only_their_own_time_and_remove_only_themselves(make, api_as):
    team = make.team()
    creator, one, two = make.clinician(team), make.clinician(team), make.clinician(team)
    api = api_as(creator)
    created = api.post(
        "/activities",
        activity_json(
            team, co_deliverers=[{"clinician_id": one.id}, {"clinician_id": two.id, "minutes": 20}]
        ),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["shared"] is True and body["co_deliverers"] == [
        {"clinician_id": one.id, "minutes": 45},
        {"clinician_id": two.id, "minutes": 20},
    ]
    path = f"/activities/{body['id']}"
    first = api_as(one)
    assert first.get(path).status_code == 200  # a co-deliverer reads it
    assert first.patch(path, {"duration_minutes": 5, "version": body["version"]}).status_code == 403
    changed = _put(first, path + "/my-part", {"minutes": 50})
    assert changed.status_code == 200
    assert changed.get_json()["co_deliverers"][0] == {"clinician_id": one.id, "minutes": 50}
    assert changed.get_json()["duration_minutes"] == 45
    assert _put(api, path + "/my-part", {"minutes": 50}).status_code == 403  # the creator edits the record
    assert _delete(first, f"{path}/co-deliverers/{two.id}").status_code == 403
    assert _delete(first, f"{path}/co-deliverers/{one.id}").status_code == 204
    assert first.get(path).status_code == 404
    assert _delete(api, f"{path}/co-deliverers/{two.id}").status_code == 204
    activity = db.session.get(Activity, body["id"])
    db.session.refresh(activity)
    assert activity.co_deliverer_ids == frozenset() and activity.duration_minutes == 45


def test_service_request_ids_in_the_api(make, api_as):
    from tests.api.conftest import type_id

    team = make.team()
    api = api_as(make.clinician(team))
    body = activity_json(
        team,
        activity_type_id=type_id("CONSULT_PATIENT"),
        start_time="10:17:00",
        service_request_ids=["SR-1", "SR-2", "SR-3"],
    )
    created = api.post("/activities", body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["service_request_ids"] == ["SR-1", "SR-2", "SR-3"]
    assert created.get_json()["service_request_id"] == "SR-1"
    duplicate = api.post("/activities", {**body, "service_request_ids": ["SR-1", "SR-1"]})
    assert duplicate.status_code == 422 and "service_request_ids" in duplicate.get_json()["error"]["fields"]


def test_the_creator_adds_a_colleague_later_and_an_outsider_is_refused(make, api_as):
    team = make.team()
    creator, colleague, outsider = make.clinician(team), make.clinician(team), make.clinician(make.team())
    api = api_as(creator)
    activity_id = api.post("/activities", activity_json(team)).get_json()["id"]
    path = f"/activities/{activity_id}/co-deliverers"
    refused = api.post(path, {"co_deliverers": [{"clinician_id": outsider.id}]})
    assert refused.status_code == 422 and "co_deliverers" in refused.get_json()["error"]["fields"]
    added = api.post(path, {"co_deliverers": [{"clinician_id": colleague.id, "minutes": 30}]})
    assert added.status_code == 200
    assert added.get_json()["co_deliverers"] == [{"clinician_id": colleague.id, "minutes": 30}]
    assert api_as(colleague).post(path, {"co_deliverers": [{"clinician_id": creator.id}]}).status_code == 403
