"""Every file the app offers for download, fetched whole from gunicorn and checked against the database."""

from __future__ import annotations

import csv
import io
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity
from indirect_work.extensions import db as _db
from tests.live import live_server
from tests.reports.at_risk import MONTH_ARG, build_at_risk, open_workbook, summary_figures

PATIENT_SPECIFIC = 3


def _fill(make: Any) -> dict[str, Any]:
    risk = build_at_risk(make, _db, lock=True)
    for activity in risk.activities[:PATIENT_SPECIFIC]:
        activity.service_request_id = f"SR{activity.id}"
        activity.start_time = time(10, 15)
        activity.activity_type = make.activity_type("CONSULT_PATIENT")
        activity.activity_type.snomed_concept_id = "11429006"  # consultation (procedure)
    _db.session.flush()
    return {
        "org_id": risk.org.id,
        "team_id": risk.teams["A06"][1].id,
        "admin": risk.admin.email,
        "truth": risk.truth(),
    }


def _get(session: Any, url: str) -> Any:
    response = session.get(url, timeout=60)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    body = response.content
    if "Content-Length" in response.headers:
        assert int(response.headers["Content-Length"]) == len(body)
    return response


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _count(server: Any, statement: Any) -> int:
    with server.app.app_context():
        return int(_db.session.scalar(statement))


def test_every_download_arrives_whole_through_gunicorn(db_backend: str, tmp_path: Any) -> None:
    with live_server(db_backend, tmp_path, _fill) as (server, data):
        session = server.signed_in(data["admin"])
        query = f"organisation={data['org_id']}&month={MONTH_ARG}"
        base = server.url + "/commissioner-reports"

        workbook = open_workbook(_get(session, f"{base}/workbook?{query}").content)
        assert "Summary" in workbook.sheetnames and "Data dictionary" in workbook.sheetnames
        assert summary_figures(workbook)["activities"] not in (None, 0)

        extract = _csv_rows(_get(session, f"{base}/mhsds-extract?{query}"))
        assert extract[0][0] == "ServiceRequestID"
        assert len(extract) - 1 == PATIENT_SPECIFIC
        assert sorted(row[0] for row in extract[1:]) == sorted(
            f"SR{i}" for i in _ids(server, Activity.service_request_id.is_not(None), data["org_id"])
        )

        validation = _csv_rows(_get(session, f"{base}/mhsds-validation?{query}"))
        with server.app.app_context():
            from indirect_work.org.models import Organisation
            from indirect_work.reports import mhsds_extract

            org = _db.session.get(Organisation, data["org_id"])
            expected = list(
                mhsds_extract.validation_values(mhsds_extract.extract_rows(org, date(2026, 10, 1)))
            )
        assert len(validation) - 1 == len(expected)

        records = _csv_rows(
            _get(
                session,
                f"{server.url}/dashboard/teams/{data['team_id']}/records.csv?start=2026-10&end=2026-10",
            )
        )
        in_team = _count(
            server,
            select(func.count(Activity.id)).where(
                Activity.team_id == data["team_id"], Activity.deleted_at.is_(None)
            ),
        )
        assert len(records) - 1 == in_team > 0

        before = _count(server, select(func.count(AuditEvent.id)))
        audit = _csv_rows(_get(session, f"{server.url}/admin/audit/export.csv"))
        # The export audits itself before it reads, so it lists its own event too.
        assert len(audit) - 1 == before + 1

        template = _csv_rows(_get(session, f"{server.url}/activities/import/template.csv"))
        assert template and template[0]
        xlsx = open_workbook(_get(session, f"{server.url}/activities/import/template.xlsx").content)
        assert next(xlsx.active.iter_rows(values_only=True))[0]
        people = _csv_rows(_get(session, f"{server.url}/admin/people/import/template.csv"))
        assert "email" in [h.strip().lower() for h in people[0]]


def _ids(server: Any, condition: Any, org_id: int) -> list[int]:
    with server.app.app_context():
        return list(
            _db.session.scalars(select(Activity.id).where(condition, Activity.organisation_id == org_id))
        )


@pytest.fixture(autouse=True)
def _needs_the_backend(db_backend: str) -> None:
    """Parametrised on the database like the rest of the suite (SQLite and PostgreSQL)."""
