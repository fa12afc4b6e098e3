"""The MHS204 extract: exact v6 columns and formats, only MHS204 rows, invalid rows reported not dropped."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.core.db import utcnow
from indirect_work.reports.mhsds_extract import COLUMNS, VALIDATION_COLUMNS

MONTH = "2026-03"
FORMATS = {
    "ServiceRequestID": r"^.{1,20}$",
    "CareProfLocalID": r"^.{1,20}$",
    "OtherCareProfTeamLocalID": r"^.{1,20}$",
    "IndirectActDate": r"^\d{4}-\d{2}-\d{2}$",
    "IndirectActTime": r"^\d{2}:\d{2}:\d{2}$",
    "DurationIndirectAct": r"^\d{1,4}$",
    "OrgIDComm": r"^[A-Z0-9]{3,5}$",
    "IndActProcedure": r"^\d{6,18}$",
    "FindSchemeInUse": r"^$",
    "Finding": r"^$",
    "IndActPersCons": r"^$",
}


@pytest.fixture
def extract_data(make: Any, db: Any) -> dict[str, Any]:
    org = make.organisation(ods_code="RMX1", default_commissioner_code="15N")
    team = make.team(org, local_id="EIP01")
    nurse = make.clinician(team, staff_local_id="C0001")
    no_id = make.clinician(team, staff_local_id=None)
    consult = make.activity_type("CONSULT_PATIENT")
    consult.snomed_concept_id = "11429006"
    liaison = make.activity_type("LIAISON_PATIENT")
    liaison.snomed_concept_id = None
    day = date(2026, 3, 17)
    valid = make.activity(
        nurse,
        team,
        activity_type=consult,
        activity_on=day,
        start_time=time(14, 7, 30),
        duration_minutes=35,
        service_request_id="SR0000123",
    )
    on_hour = make.activity(
        nurse,
        team,
        activity_type=consult,
        activity_on=date(2026, 3, 18),
        start_time=time(9, 0),
        duration_minutes=20,
        service_request_id="SR0000124",
    )
    no_snomed = make.activity(
        nurse,
        team,
        activity_type=liaison,
        activity_on=day,
        start_time=time(11, 3),
        service_request_id="SR0000125",
    )
    no_staff_id = make.activity(
        no_id,
        team,
        activity_type=consult,
        activity_on=day,
        start_time=time(11, 4),
        service_request_id="SR0000126",
    )
    no_request = make.activity(nurse, team, activity_type=consult, activity_on=day, start_time=time(11, 5))
    # Not in the extract at all: local type, deleted, other month, other organisation.
    make.activity(nurse, team, type_code="TRAIN_STAFF", activity_on=day)
    gone = make.activity(
        nurse,
        team,
        activity_type=consult,
        activity_on=day,
        start_time=time(12, 1),
        service_request_id="SR0000999",
    )
    gone.deleted_at = utcnow()
    make.activity(
        nurse,
        team,
        activity_type=consult,
        activity_on=date(2026, 4, 1),
        start_time=time(12, 2),
        service_request_id="SR0000998",
    )
    other_team = make.team(make.organisation(default_commissioner_code="15N"))
    make.activity(
        make.clinician(other_team),
        other_team,
        activity_type=consult,
        activity_on=day,
        start_time=time(12, 3),
        service_request_id="SR0000997",
    )
    db.session.flush()
    return {
        "org": org,
        "valid": valid,
        "on_hour": on_hour,
        "no_snomed": no_snomed,
        "no_staff_id": no_staff_id,
        "no_request": no_request,
    }


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _check_extract(text: str, data: dict[str, Any]) -> None:
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == COLUMNS
    rows = _read(text)
    assert [r["ServiceRequestID"] for r in rows] == ["SR0000123", "SR0000124"]
    first = rows[0]
    assert first == {
        "ServiceRequestID": "SR0000123",
        "CareProfLocalID": "C0001",
        "OtherCareProfTeamLocalID": "EIP01",
        "IndirectActDate": "2026-03-17",
        "IndirectActTime": "14:07:30",
        "DurationIndirectAct": "35",
        "OrgIDComm": "15N",
        "IndActProcedure": "11429006",
        "FindSchemeInUse": "",
        "Finding": "",
        "IndActPersCons": "",
    }
    for row in rows:
        for column, pattern in FORMATS.items():
            assert re.match(pattern, row[column]), (column, row[column])


def _check_validation(text: str, data: dict[str, Any]) -> None:
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == VALIDATION_COLUMNS
    rows = _read(text)
    problems = {(r["ActivityID"], r["Severity"]): r["Problem"] for r in rows}
    assert "no SNOMED CT concept" in problems[(str(data["no_snomed"].id), "error")]
    assert "staff local identifier" in problems[(str(data["no_staff_id"].id), "error")]
    assert "service request identifier" in problems[(str(data["no_request"].id), "error")]
    assert "on the hour" in problems[(str(data["on_hour"].id), "warning")]
    assert str(data["valid"].id) not in {r["ActivityID"] for r in rows}
    assert {r["ActivityID"] for r in rows if r["Severity"] == "error"} == {
        str(data[k].id) for k in ("no_snomed", "no_staff_id", "no_request")
    }


def test_admin_downloads_the_extract_and_validation_report(
    client: Any, make: Any, login: Any, db: Any, extract_data: dict[str, Any]
) -> None:
    login(make.admin())
    query = f"organisation={extract_data['org'].id}&month={MONTH}"
    response = client.get(f"/commissioner-reports/mhsds-extract?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="mhsds-mhs204_RMX1_2026-03.csv"' in response.headers["Content-Disposition"]
    _check_extract(response.get_data(as_text=True), extract_data)
    response = client.get(f"/commissioner-reports/mhsds-validation?{query}")
    assert response.status_code == 200
    assert 'filename="mhsds-mhs204-validation_RMX1_2026-03.csv"' in response.headers["Content-Disposition"]
    _check_validation(response.get_data(as_text=True), extract_data)
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("report.mhsds%")))
    )
    assert actions == {"report.mhsds_extract", "report.mhsds_validation"}


def test_cli_mhsds_writes_extract_and_validation_report(
    app: Any, db: Any, extract_data: dict[str, Any], tmp_path: Any
) -> None:
    result = app.test_cli_runner().invoke(
        args=["report", "mhsds", "--month", MONTH, "--organisation", "RMX1", "--output", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "(2 rows)" in result.output and "3 rows left out, 1 warnings" in result.output
    _check_extract((tmp_path / "mhsds-mhs204_RMX1_2026-03.csv").read_text(encoding="utf-8"), extract_data)
    _check_validation(
        (tmp_path / "mhsds-mhs204-validation_RMX1_2026-03.csv").read_text(encoding="utf-8"), extract_data
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.mhsds_extract")).one()
    assert event.details == {"month": MONTH, "rows": 2, "left_out": 3, "warnings": 1}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-3"], "is not a month in the form YYYY-MM"),
        (["--month", MONTH, "--organisation", "NOPE2"], "No organisation has the ODS code"),
    ],
)
def test_cli_mhsds_refuses_bad_input(
    app: Any, db: Any, extract_data: dict[str, Any], tmp_path: Any, args: list[str], message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["report", "mhsds", *args, "--output", str(tmp_path)])
    assert result.exit_code == 1 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_missing_commissioner_code_and_formula_like_ids_are_reported(
    app: Any, make: Any, db: Any, extract_data: dict[str, Any], tmp_path: Any
) -> None:
    extract_data["org"].default_commissioner_code = None
    extract_data["valid"].service_request_id = "=HYPERLINK(1)"
    db.session.flush()
    result = app.test_cli_runner().invoke(
        args=["report", "mhsds", "--month", MONTH, "--organisation", "RMX1", "--output", str(tmp_path)]
    )
    assert result.exit_code == 0
    extract = _read((tmp_path / "mhsds-mhs204_RMX1_2026-03.csv").read_text(encoding="utf-8"))
    assert extract == []
    report = (tmp_path / "mhsds-mhs204-validation_RMX1_2026-03.csv").read_text(encoding="utf-8")
    assert "OrgIDComm missing" in report and "ServiceRequestID is not a valid an20 identifier" in report
    assert "=HYPERLINK" not in report
