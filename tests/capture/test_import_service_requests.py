"""Import: a meeting about several patients names its service requests separated by semicolons."""

from __future__ import annotations

import re
from datetime import date, timedelta

from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from tests.capture.test_import import HEADER, upload


def test_several_service_requests_import_in_order_and_duplicates_are_refused(signed_in, clinician):
    day = (date.today() - timedelta(days=1)).isoformat()
    rows = [
        f"{day},FORMULATION_PATIENT,1h,,01,MH_TEAM_STAFF,5,13:47,SR-1;SR-2;SR-3,",  # row 2 ok
        f"{day},FORMULATION_PATIENT,1h,,01,MH_TEAM_STAFF,5,14:07,SR-4;sr-4,",  # row 3 duplicate
    ]
    html = upload(signed_in, "mdt.csv", (HEADER + "\n".join(rows) + "\n").encode()).text
    assert "once" in html  # row 3's message, in the service request column
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert signed_in.post_form("/activities/import/commit", {"payload": payload}).status_code == 302
    [saved] = db.session.query(Activity).filter_by(clinician_id=clinician.id).all()
    assert saved.service_request_ids == ["SR-1", "SR-2", "SR-3"] and saved.service_request_id == "SR-1"
