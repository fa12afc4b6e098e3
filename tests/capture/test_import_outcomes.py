"""The import's optional outcomes column: looked up like the other lists, saved beside each record."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import outcomes_of
from indirect_work.extensions import db
from tests.capture.test_import import upload

HEADER = "date,activity_type,duration,consultation_mechanism,recipient_types,outcomes\n"


def test_outcomes_column_is_saved_and_unknown_outcomes_are_refused_by_cell(signed_in, clinician):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    content = (
        HEADER
        + f"{yesterday},TRAIN_STAFF,1:30,01,WARD_STAFF,STAFF_SKILLS; service change agreed\n"
        + f"{yesterday},CONSULT_TEAM,45,01,MH_TEAM_STAFF,MIRACLE\n"
        + f"{yesterday},CONSULT_TEAM,30,01,MH_TEAM_STAFF,\n"
    ).encode()
    html = upload(signed_in, "o.csv", content).text
    assert "is not an outcome code or name" in html
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert signed_in.post_form("/activities/import/commit", {"payload": payload}).status_code == 302
    rows = db.session.scalars(
        select(Activity).where(Activity.clinician_id == clinician.id).order_by(Activity.id)
    ).all()
    assert len(rows) == 2
    assert [o.code for o in outcomes_of(rows[0].id)] == ["STAFF_SKILLS", "SERVICE_CHANGE"]
    assert outcomes_of(rows[1].id) == []
