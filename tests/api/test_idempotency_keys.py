"""Idempotency-Key: the key's fingerprint decides; an expired key starts afresh; a race has one winner."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update

from indirect_work.capture.models import Activity, IdempotencyRecord
from indirect_work.core.db import utcnow
from indirect_work.extensions import db
from tests.api.conftest import activity_json
from tests.live import live_server

ROUNDS = 6


def _records(clinician: Any) -> list[Activity]:
    return list(db.session.scalars(select(Activity).where(Activity.clinician_id == clinician.id)))


def test_after_the_window_a_key_starts_a_new_operation_and_stores_it(api, team, clinician):
    key = {"Idempotency-Key": "month-end-batch-7"}
    first = api.post("/activities", activity_json(team, duration_minutes=30), headers=key)
    assert first.status_code == 201
    db.session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()

    second = api.post("/activities", activity_json(team, duration_minutes=75), headers=key)

    assert second.status_code == 201, second.get_json()
    assert "Idempotent-Replayed" not in second.headers
    body = second.get_json()
    assert body["id"] != first.get_json()["id"] and body["duration_minutes"] == 75
    assert sorted(a.duration_minutes for a in _records(clinician)) == [30, 75]
    # The old claim is gone entirely; the key now belongs to the second operation.
    again = api.post("/activities", activity_json(team, duration_minutes=75), headers=key)
    assert again.status_code == 201 and again.get_json()["id"] == body["id"]
    assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 1


def test_same_key_with_a_different_body_is_always_422(api, team, clinician):
    key = {"Idempotency-Key": "k-1"}
    assert api.post("/activities", activity_json(team, duration_minutes=30), headers=key).status_code == 201
    for minutes in (31, 45):
        refused = api.post("/activities", activity_json(team, duration_minutes=minutes), headers=key)
        assert refused.status_code == 422
        assert "Idempotency-Key" in refused.get_json()["error"]["fields"]
    assert [a.duration_minutes for a in _records(clinician)] == [30]


def _fill(make: Any) -> dict[str, Any]:
    from indirect_work.api.tokens import create_token

    team = make.team()
    clinician = make.clinician(team)
    token = create_token(user=clinician, name="race", lifetime_days=30).secret
    return {"token": token, "team_id": team.id, "clinician_id": clinician.id}


def _race(url: str, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[tuple[int, Any, int]]:
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, Any, int]] = []

    def post(body: dict[str, Any]) -> None:
        import requests

        barrier.wait()
        response = requests.post(url, json=body, headers=headers, timeout=60)
        answers.append((body["duration_minutes"], response.json(), response.status_code))

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_concurrent_posts_with_one_key_and_different_bodies_have_one_winner(
    db_backend: str, tmp_path: Any
) -> None:
    with live_server(db_backend, tmp_path, _fill) as (server, data):
        url = server.url + "/api/v1/activities"
        for n in range(ROUNDS):
            headers = {"Authorization": f"Bearer {data['token']}", "Idempotency-Key": f"race-{n}"}
            bodies = [
                {
                    "activity_type_id": _type_id(server, "CONSULT_TEAM"),
                    "activity_on": date.today().isoformat(),
                    "duration_minutes": minutes,
                    "team_id": data["team_id"],
                    "consultation_mechanism_code": "01",
                    "recipient_type_ids": [_recipient_id(server)],
                }
                for minutes in (40 + n, 90 + n)
            ]
            answers = _race(url, headers, bodies)
            statuses = sorted(status for _sent, _body, status in answers)
            assert statuses == [201, 422], answers
            sent, winner, _ = next(a for a in answers if a[2] == 201)
            assert winner["duration_minutes"] == sent, answers
            loser = next(a for a in answers if a[2] == 422)[1]
            assert "Idempotency-Key" in loser["error"]["fields"]
        with server.app.app_context():
            stored = sorted(
                db.session.scalars(
                    select(Activity.duration_minutes).where(Activity.clinician_id == data["clinician_id"])
                )
            )
            db.session.remove()
        assert len(stored) == ROUNDS


def _type_id(server: Any, code: str) -> int:
    from indirect_work.taxonomy.models import ActivityType

    with server.app.app_context():
        return int(db.session.scalar(select(ActivityType.id).where(ActivityType.code == code)))


def _recipient_id(server: Any) -> int:
    from indirect_work.taxonomy.models import RecipientType

    with server.app.app_context():
        return int(db.session.scalar(select(RecipientType.id).where(RecipientType.code == "MH_TEAM_STAFF")))
