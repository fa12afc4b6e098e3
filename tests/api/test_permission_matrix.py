"""Who may do what to one clinician's record through the API (404 hides what a caller may not see)."""

from __future__ import annotations

import pytest

from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from tests.api.conftest import activity_json

#: role -> (GET, PATCH, DELETE of the owner's record; POST a record of their own; GET /rollups)
MATRIX = {
    "owner": (200, 200, 204, 201, 200),
    "other clinician in the team": (404, 404, 404, 201, 200),
    "team lead of the team": (404, 404, 404, 201, 200),
    "commissioner of the provider": (403, 403, 403, 403, 200),
    "admin": (200, 200, 204, 422, 200),  # admins hold no clinician team, so cannot log work of their own
    "user without a role": (403, 403, 403, 403, 403),
}


def _caller(role, make, team, owner):
    return {
        "owner": lambda: owner,
        "other clinician in the team": lambda: make.clinician(team),
        "team lead of the team": lambda: make.lead(team),
        "commissioner of the provider": lambda: make.commissioner(team.organisation),
        "admin": lambda: make.admin(),
        "user without a role": lambda: make.user(),
    }[role]()


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix(role, make, api_as, team, clinician):
    record = make.activity(clinician, duration_minutes=30)
    db.session.commit()
    api = api_as(_caller(role, make, team, clinician))
    got = (
        api.get(f"/activities/{record.id}").status_code,
        api.patch(f"/activities/{record.id}", {"version": 1, "duration_minutes": 40}).status_code,
        api.delete(f"/activities/{record.id}").status_code,
        api.post("/activities", activity_json(team)).status_code,
        api.get("/rollups?start=2026-11-01&end=2026-11-30").status_code,  # a whole month
    )
    assert got == MATRIX[role]
    db.session.expire_all()
    changed = db.session.get(Activity, record.id)
    if MATRIX[role][1] != 200:
        assert (changed.duration_minutes, changed.version, changed.deleted_at) == (30, 1, None)
