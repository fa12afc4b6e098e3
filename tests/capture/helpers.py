"""Shared helpers of the capture tests: reference ids and a valid form post."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select

from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityType, RecipientType

_tokens = itertools.count()


def type_id(code: str) -> int:
    return int(db.session.scalar(select(ActivityType.id).where(ActivityType.code == code)))


def recipient_id(code: str) -> int:
    return int(db.session.scalar(select(RecipientType.id).where(RecipientType.code == code)))


def data_for(team: Any, **overrides: Any) -> ActivityInput:
    values: dict[str, Any] = {
        "activity_type_id": type_id("CONSULT_TEAM"),
        "activity_on": date.today(),
        "duration_minutes": 60,
        "team_id": team.id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [recipient_id("MH_TEAM_STAFF")],
        "people_reached": 3,
    }
    values.update(overrides)
    return ActivityInput(**values)


def form_for(team: Any, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "activity_type_id": str(type_id("CONSULT_TEAM")),
        "activity_on": date.today().isoformat(),
        "duration": "1h30",
        "team_id": str(team.id),
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [str(recipient_id("MH_TEAM_STAFF"))],
        "people_reached": "4",
        "note": "",
        "submission_token": f"form-{next(_tokens)}",
    }
    values.update(overrides)
    return values


def count_activities(**where: Any) -> int:
    query = select(func.count()).select_from(Activity)
    for name, value in where.items():
        query = query.where(getattr(Activity, name) == value)
    return int(db.session.scalar(query) or 0)
