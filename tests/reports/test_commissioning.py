"""The Reports page, workbook download permissions, audit, lock warnings and the ``report monthly`` CLI."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import MonthLock
from indirect_work.reports.workbook import SHEETS

MONTH = "2026-03"


@pytest.fixture
def provider(make: Any, db: Any) -> dict[str, Any]:
    org = make.organisation(ods_code="RCM1", name="Commissioned Trust")
    first = make.team(org, name="Early Intervention", local_id="EIP")
    second = make.team(org, name="Older Adults", local_id="OPS")
    people = [make.clinician(first) for _ in range(3)]
    for person in people:
        make.activity(person, first, activity_on=date(2026, 3, 9), duration_minutes=45)
    db.session.add(MonthLock(team_id=first.id, month=date(2026, 3, 1), is_locked=True))
    db.session.flush()
    return {"org": org, "first": first, "second": second, "people": people}


def _url(org: Any, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"organisation": str(org.id), "month": MONTH, **extra}.items())
    return f"/commissioner-reports/workbook?{query}"


@pytest.mark.parametrize("role", ["clinician", "lead"])
def test_clinicians_and_team_leads_cannot_download_workbooks(
    client: Any, make: Any, login: Any, provider: dict[str, Any], role: str
) -> None:
    user = make.clinician(provider["first"]) if role == "clinician" else make.lead(provider["first"])
    login(user)
    assert client.get(_url(provider["org"])).status_code == 403
    assert client.get("/commissioner-reports/").status_code == 403
    assert (
        client.get(
            f"/commissioner-reports/mhsds-extract?organisation={provider['org'].id}&month={MONTH}"
        ).status_code
        == 403
    )


def test_signed_out_users_are_sent_to_sign_in(client: Any, provider: dict[str, Any]) -> None:
    response = client.get(_url(provider["org"]))
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_commissioner_downloads_their_organisation_workbook_and_it_is_audited(
    client: Any, make: Any, login: Any, db: Any, provider: dict[str, Any]
) -> None:
    commissioner = make.commissioner(provider["org"])
    login(commissioner)
    response = client.get(_url(provider["org"]))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename=indirect-activity_RCM1_2026-03.xlsx" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == list(SHEETS)
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and row[0]}
    # Published rounded to the nearest 5: 3 activities as 5, 2.25 hours as 0.
    assert summary["Activities"] == 5 and summary["Hours"] == 0
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.workbook_download")
    ).one()
    assert event.actor_id == commissioner.id and event.object_id == str(provider["org"].id)
    assert event.details["month"] == MONTH and event.details["file"] == "indirect-activity_RCM1_2026-03.xlsx"
    assert event.details["sha256"] == hashlib.sha256(response.data).hexdigest()


def test_commissioner_cannot_download_another_organisation(
    client: Any, make: Any, login: Any, db: Any, provider: dict[str, Any]
) -> None:
    other = make.organisation(ods_code="ROTH")
    login(make.commissioner(other))
    assert client.get(_url(provider["org"])).status_code == 404
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.workbook_download")).all()
        == []
    )
    page = client.get("/commissioner-reports/").get_data(as_text=True)
    assert "Commissioned Trust" not in page and "ROTH" in page


def test_commissioner_never_gets_the_mhsds_extract(
    client: Any, make: Any, login: Any, provider: dict[str, Any]
) -> None:
    login(make.commissioner(provider["org"]))
    query = f"organisation={provider['org'].id}&month={MONTH}"
    assert client.get(f"/commissioner-reports/mhsds-extract?{query}").status_code == 403
    assert client.get(f"/commissioner-reports/mhsds-validation?{query}").status_code == 403
    assert "MHSDS extract" not in client.get("/commissioner-reports/").get_data(as_text=True)


def test_admin_downloads_any_organisation(
    client: Any, make: Any, login: Any, provider: dict[str, Any]
) -> None:
    login(make.admin())
    response = client.get(_url(provider["org"], team_type="A06"))
    assert response.status_code == 200
    assert "indirect-activity_RCM1_2026-03_A06.xlsx" in response.headers["Content-Disposition"]
    assert "MHSDS extract" in client.get("/commissioner-reports/").get_data(as_text=True)


def test_page_warns_when_a_team_has_not_locked_the_month(
    client: Any, make: Any, login: Any, db: Any, provider: dict[str, Any]
) -> None:
    login(make.commissioner(provider["org"]))
    page = client.get(f"/commissioner-reports/?organisation={provider['org'].id}&month={MONTH}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="unlocked-warning"' in html and "Older Adults (OPS)" in html
    assert "Early Intervention" not in html.split('data-testid="unlocked-warning"')[1].split("</ul>")[0]
    db.session.add(MonthLock(team_id=provider["second"].id, month=date(2026, 3, 1), is_locked=True))
    db.session.flush()
    html = client.get(f"/commissioner-reports/?organisation={provider['org'].id}&month={MONTH}").get_data(
        as_text=True
    )
    assert 'data-testid="all-locked"' in html and 'data-testid="unlocked-warning"' not in html


@pytest.mark.parametrize(
    "month, message",
    [
        ("2026-13", "Enter the month in the form YYYY-MM"),
        ("", "Enter the month in the form YYYY-MM"),
        ("2999-01", "must not be in the future"),
    ],
)
def test_bad_month_shows_an_error_not_a_file(
    client: Any, make: Any, login: Any, provider: dict[str, Any], month: str, message: str
) -> None:
    login(make.commissioner(provider["org"]))
    response = client.get(f"/commissioner-reports/workbook?organisation={provider['org'].id}&month={month}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in html and message in html
    assert f'value="{month}"' in html  # what the user typed is kept


def test_unknown_team_type_shows_an_error_not_a_file(
    client: Any, make: Any, login: Any, provider: dict[str, Any]
) -> None:
    login(make.commissioner(provider["org"]))
    response = client.get(_url(provider["org"], team_type="ZZZ"))
    assert response.status_code == 400
    assert "Choose a service or team type from the list" in response.get_data(as_text=True)


def test_nonsense_organisation_is_an_error_not_a_crash(
    client: Any, make: Any, login: Any, provider: dict[str, Any]
) -> None:
    login(make.admin())
    assert client.get(f"/commissioner-reports/workbook?organisation=abc&month={MONTH}").status_code == 400
    assert client.get(f"/commissioner-reports/workbook?organisation=999999&month={MONTH}").status_code == 404


def test_cli_monthly_writes_each_file_and_exits_zero(
    app: Any, db: Any, provider: dict[str, Any], tmp_path: Any
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["report", "monthly", "--month", MONTH, "--organisation", "rcm1", "--output", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    path = tmp_path / "indirect-activity_RCM1_2026-03.xlsx"
    assert str(path) in result.output
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(SHEETS)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.workbook_generate")
    ).one()
    assert event.actor_email == "cli" and event.details["month"] == MONTH


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "is not a month in the form YYYY-MM"),
        (["--month", "March"], "is not a month in the form YYYY-MM"),
        (["--month", MONTH, "--organisation", "NOPE1"], "No organisation has the ODS code"),
        (
            ["--month", MONTH, "--organisation", "RCM1", "--team-type", "ZZZ"],
            "not an MHSDS service or team type",
        ),
    ],
)
def test_cli_monthly_refuses_bad_input_with_a_clear_message(
    app: Any, db: Any, provider: dict[str, Any], tmp_path: Any, args: list[str], message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["report", "monthly", *args, "--output", str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_monthly_requires_the_month(app: Any, db: Any) -> None:
    result = app.test_cli_runner().invoke(args=["report", "monthly"])
    assert result.exit_code == 2 and "--month" in result.output
