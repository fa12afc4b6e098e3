"""Fixtures of the API tests: a team, its people, tokens and a small JSON client."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from indirect_work.api.tokens import create_token
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityType, RecipientType


def type_id(code: str) -> int:
    return int(db.session.scalar(select(ActivityType.id).where(ActivityType.code == code)))


def recipient_id(code: str) -> int:
    return int(db.session.scalar(select(RecipientType.id).where(RecipientType.code == code)))


def activity_json(team: Any, **overrides: Any) -> dict[str, Any]:
    """A valid create body for a member of ``team``."""
    body: dict[str, Any] = {
        "activity_type_id": type_id("CONSULT_TEAM"),
        "activity_on": date.today().isoformat(),
        "duration_minutes": 45,
        "team_id": team.id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [recipient_id("MH_TEAM_STAFF")],
        "people_reached": 3,
    }
    body.update(overrides)
    return body


class Api:
    """JSON requests to ``/api/v1`` with a bearer token (``token=None`` sends none)."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        headers = self._headers(kw.pop("headers", None))
        return self.client.post("/api/v1" + path, json=body, headers=headers, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        headers = self._headers(kw.pop("headers", None))
        return self.client.patch("/api/v1" + path, json=body, headers=headers, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete("/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api_as(client: Any) -> Any:
    """``api_as(user)``: an :class:`Api` client holding a fresh token of ``user``."""

    def _api_as(user: Any) -> Api:
        new = create_token(user=user, name="tests", lifetime_days=30)
        db.session.commit()
        return Api(client, new.secret)

    return _api_as


@pytest.fixture
def team(make: Any) -> Any:
    return make.team()


@pytest.fixture
def clinician(make: Any, team: Any) -> Any:
    return make.clinician(team)


@pytest.fixture
def api(api_as: Any, clinician: Any) -> Api:
    return api_as(clinician)
