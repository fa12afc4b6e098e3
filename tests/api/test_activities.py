"""Activities through the API: create, read, list, change, delete, with the web's rules and scoping."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity, IdempotencyRecord
from indirect_work.extensions import db
from tests.api.conftest import activity_json, recipient_id, type_id


def test_create_then_get_list_update_and_delete(api, team, clinician):
    created = api.post("/activities", activity_json(team, note="Spoke to the ward manager"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/activities/{body['id']}"
    assert body["clinician_id"] == clinician.id and body["source"] == "api" and body["version"] == 1
    assert body["activity_on"] == date.today().isoformat() and body["duration_minutes"] == 45
    assert body["activity_type"]["code"] == "CONSULT_TEAM"
    assert body["created_at"].endswith("+00:00")

    assert api.get(f"/activities/{body['id']}").get_json() == body
    listed = api.get("/activities").get_json()
    assert [a["id"] for a in listed["items"]] == [body["id"]] and listed["total"] == 1

    changed = api.patch(f"/activities/{body['id']}", {"version": 1, "duration_minutes": 90, "note": None})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["duration_minutes"] == 90 and changed.get_json()["note"] is None
    assert changed.get_json()["version"] == 2
    assert changed.get_json()["people_reached"] == 3  # fields not sent are kept

    deleted = api.delete(f"/activities/{body['id']}?version=2")
    assert deleted.status_code == 204
    assert api.get(f"/activities/{body['id']}").status_code == 404
    assert db.session.get(Activity, body["id"]).deleted_at is not None
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(body["id"])))
    )
    assert {"activity.create", "activity.update", "activity.delete"} <= actions


def test_validation_errors_are_422_with_field_messages(api, team):
    response = api.post(
        "/activities",
        activity_json(team, activity_on=(date.today() + timedelta(days=2)).isoformat(), duration_minutes=0),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["activity_on"] == ["The date cannot be in the future"]
    assert "between 1 minute and 24 hours" in error["fields"]["duration_minutes"][0]
    assert db.session.scalar(select(Activity.id)) is None


def test_missing_fields_get_the_rule_sets_messages(api):
    error = api.post("/activities", {}).get_json()["error"]
    assert error["fields"]["activity_type_id"] == ["Select the type of activity"]
    assert error["fields"]["team_id"] == ["Select the team you did this work for"]
    assert error["fields"]["recipient_type_ids"] == ["Select who received the work"]


def test_unknown_fields_wrong_types_and_non_json_are_refused(api, team):
    unknown = api.post("/activities", activity_json(team, clinician_id=1))
    assert unknown.status_code == 422 and "clinician_id" in unknown.get_json()["error"]["fields"]
    wrong = api.post(
        "/activities",
        activity_json(team, activity_on="15/03/2026", duration_minutes="45", recipient_type_ids=["x"]),
    )
    fields = wrong.get_json()["error"]["fields"]
    assert fields["activity_on"] == ["Enter the date in ISO 8601 form, for example 2026-03-15"]
    assert set(fields) == {"activity_on", "duration_minutes", "recipient_type_ids"}
    not_json = api.client.post("/api/v1/activities", data="not json", headers=api._headers(None))
    assert not_json.status_code == 422 and "_body" in not_json.get_json()["error"]["fields"]
    array = api.post("/activities", [1, 2])
    assert array.status_code == 422


def test_another_clinicians_activity_is_404_and_unchanged(make, api_as, team, clinician):
    other = make.clinician(team)
    theirs = make.activity(other, duration_minutes=30, note="theirs")
    db.session.commit()
    api = api_as(clinician)
    assert api.get(f"/activities/{theirs.id}").status_code == 404
    assert api.patch(f"/activities/{theirs.id}", {"version": 1, "duration_minutes": 5}).status_code == 404
    assert api.delete(f"/activities/{theirs.id}").status_code == 404
    assert api.get("/activities").get_json()["items"] == []
    assert api.get(f"/activities?clinician_id={other.id}").get_json()["items"] == []
    db.session.refresh(theirs)
    assert (theirs.duration_minutes, theirs.deleted_at, theirs.version) == (30, None, 1)


def test_admin_reads_and_filters_everyones_records(make, api_as, team, clinician):
    mine = make.activity(clinician)
    other = make.activity(make.clinician(team))
    db.session.commit()
    admin = api_as(make.admin())
    assert {a["id"] for a in admin.get("/activities").get_json()["items"]} == {mine.id, other.id}
    theirs = admin.get(f"/activities?clinician_id={clinician.id}").get_json()["items"]
    assert [a["id"] for a in theirs] == [mine.id]
    assert admin.get(f"/activities/{other.id}").status_code == 200


def test_commissioner_may_not_touch_records(make, api_as, clinician):
    record = make.activity(clinician)
    db.session.commit()
    commissioner = api_as(make.commissioner())
    for response in (
        commissioner.get("/activities"),
        commissioner.get(f"/activities/{record.id}"),
        commissioner.post("/activities", {}),
        commissioner.patch(f"/activities/{record.id}", {"version": 1}),
        commissioner.delete(f"/activities/{record.id}"),
    ):
        assert response.status_code == 403, response.request.path
        assert response.get_json()["error"]["code"] == "forbidden"


def test_stale_update_is_409_with_the_current_record(api, team):
    created = api.post("/activities", activity_json(team)).get_json()
    first = api.patch(f"/activities/{created['id']}", {"version": 1, "duration_minutes": 50})
    assert first.status_code == 200
    stale = api.patch(f"/activities/{created['id']}", {"version": 1, "duration_minutes": 70})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "conflict" and error["current"]["duration_minutes"] == 50
    assert error["current"]["version"] == 2
    assert api.delete(f"/activities/{created['id']}?version=1").status_code == 409
    assert api.get(f"/activities/{created['id']}").get_json()["duration_minutes"] == 50


def test_update_needs_a_version(api, team):
    created = api.post("/activities", activity_json(team)).get_json()
    response = api.patch(f"/activities/{created['id']}", {"duration_minutes": 70})
    assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]


def test_idempotent_create_replays_and_refuses_a_different_body(api, team, clinician):
    body = activity_json(team)
    key = {"Idempotency-Key": "0b6f7a52-4a4e-4c8f-9d8e-1f2a3b4c5d6e"}
    first = api.post("/activities", body, headers=key)
    again = api.post("/activities", body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(db.session.scalars(select(Activity).where(Activity.clinician_id == clinician.id)).all()) == 1
    different = api.post("/activities", {**body, "duration_minutes": 10}, headers=key)
    assert different.status_code == 422
    assert "Idempotency-Key" in different.get_json()["error"]["fields"]
    other_key = api.post("/activities", body, headers={"Idempotency-Key": "another"})
    assert other_key.status_code == 201 and other_key.get_json()["id"] != first.get_json()["id"]


def test_failed_create_is_not_remembered_so_the_key_can_be_retried(api, team):
    key = {"Idempotency-Key": "retry-me"}
    assert api.post("/activities", activity_json(team, duration_minutes=0), headers=key).status_code == 422
    assert db.session.scalar(select(IdempotencyRecord.id)) is None
    assert api.post("/activities", activity_json(team), headers=key).status_code == 201


def test_idempotency_keys_are_per_user(make, api_as, team):
    key = {"Idempotency-Key": "shared-key"}
    a = api_as(make.clinician(team)).post("/activities", activity_json(team), headers=key)
    b = api_as(make.clinician(team)).post("/activities", activity_json(team), headers=key)
    assert a.status_code == b.status_code == 201 and a.get_json()["id"] != b.get_json()["id"]


def test_bad_idempotency_key_is_422(api, team):
    response = api.post("/activities", activity_json(team), headers={"Idempotency-Key": "has space"})
    assert response.status_code == 422


def test_list_pages_in_a_stable_order_and_filters(make, api, clinician, team):
    today = date.today()
    records = [make.activity(clinician, activity_on=today - timedelta(days=i % 3)) for i in range(7)]
    make.activity(clinician, type_code="TRAIN_STAFF", activity_on=today - timedelta(days=40))
    db.session.commit()
    first = api.get("/activities?per_page=3&page=1").get_json()
    second = api.get("/activities?per_page=3&page=2").get_json()
    third = api.get("/activities?per_page=3&page=3").get_json()
    assert (first["total"], first["pages"]) == (8, 3)
    ids = [a["id"] for page in (first, second, third) for a in page["items"]]
    assert len(ids) == len(set(ids)) == 8
    dates = [(a["activity_on"], a["id"]) for page in (first, second, third) for a in page["items"]]
    assert dates == sorted(dates, reverse=True)
    recent = api.get(f"/activities?date_from={(today - timedelta(days=30)).isoformat()}").get_json()
    assert {a["id"] for a in recent["items"]} == {r.id for r in records}
    training = api.get(f"/activities?activity_type_id={type_id('TRAIN_STAFF')}").get_json()
    assert training["total"] == 1
    assert api.get("/activities?page=99").get_json()["items"] == []
    bad = api.get("/activities?per_page=1000&date_from=yesterday&colour=blue")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"per_page", "date_from", "colour"}


def test_list_since_a_moment_for_incremental_loads(make, api, clinician):
    from indirect_work.core.db import utcnow

    old = make.activity(clinician, updated_at=utcnow() - timedelta(days=2))
    new = make.activity(clinician)
    db.session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    listed = api.get("/activities", query_string={"updated_since": since}).get_json()
    assert [a["id"] for a in listed["items"]] == [new.id] and old.id != new.id
    naive = api.get("/activities", query_string={"updated_since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.get_json()["error"]["fields"]["updated_since"]


def test_locked_month_is_refused_like_the_web(make, api, clinician, team):
    from indirect_work.capture.models import MonthLock
    from indirect_work.core.dates import add_months, month_start

    last_month = add_months(month_start(date.today()), -1)
    record = make.activity(clinician, activity_on=last_month)
    db.session.add(MonthLock(team_id=team.id, month=last_month))
    db.session.commit()
    created = api.post("/activities", activity_json(team, activity_on=last_month.isoformat()))
    assert created.status_code == 422 and "locked" in created.get_json()["error"]["fields"]["activity_on"][0]
    assert api.patch(f"/activities/{record.id}", {"version": 1, "duration_minutes": 5}).status_code == 422
    assert api.delete(f"/activities/{record.id}").status_code == 422


def test_patient_specific_type_needs_time_and_referral(api, team):
    body = activity_json(
        team, activity_type_id=type_id("CONSULT_PATIENT"), recipient_type_ids=[recipient_id("MH_TEAM_STAFF")]
    )
    fields = api.post("/activities", body).get_json()["error"]["fields"]
    assert set(fields) == {"start_time", "service_request_id"}
    ok = api.post("/activities", {**body, "start_time": "14:30", "service_request_id": "REF-123"})
    assert ok.status_code == 201 and ok.get_json()["start_time"] == "14:30:00"


def test_incremental_load_sees_deletions_when_asked(api, team):
    kept = api.post("/activities", activity_json(team)).get_json()
    gone = api.post("/activities", activity_json(team, duration_minutes=30)).get_json()
    assert api.delete(f"/activities/{gone['id']}?version=1").status_code == 204

    live = api.get("/activities").get_json()["items"]
    assert [a["id"] for a in live] == [kept["id"]] and live[0]["deleted_at"] is None

    since = kept["created_at"].replace("+00:00", "Z")
    everything = api.get(f"/activities?include_deleted=true&updated_since={since}").get_json()["items"]
    by_id = {a["id"]: a for a in everything}
    assert set(by_id) == {kept["id"], gone["id"]}
    assert by_id[gone["id"]]["deleted_at"] is not None and by_id[kept["id"]]["deleted_at"] is None
    assert api.get(f"/activities/{gone['id']}").status_code == 404
