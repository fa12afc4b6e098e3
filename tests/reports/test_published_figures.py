"""Published figures stay put: a team moving provider, later admin changes and the CLI's month rules."""

from __future__ import annotations

import hashlib
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import MonthLock
from indirect_work.org.models import Team
from tests.reports.at_risk import MONTH, build_at_risk, open_workbook, sheet_rows, workbook_url

GENERATED = "Generated at (UTC)"


def _cells(content: bytes, *, skip_generated: bool) -> dict[str, list[list[Any]]]:
    workbook = open_workbook(content)
    cells = {}
    for title in workbook.sheetnames:
        rows = sheet_rows(workbook, title)
        if skip_generated:
            rows = [row for row in rows if not row or row[0] != GENERATED]
        cells[title] = rows
    return cells


def _move(client: Any, team: Any, organisation: Any) -> None:
    response = client.post_form(
        f"/admin/teams/{team.id}/edit",
        {
            "organisation_id": organisation.id,
            "local_id": team.local_id,
            "name": team.name,
            "service_team_type_code": team.service_team_type_code,
            "is_active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]


def _download(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return bytes(response.data)


def test_moving_a_team_to_another_provider_changes_no_past_figure(
    client: Any, login: Any, make: Any, db: Any
) -> None:
    risk = build_at_risk(make, db, lock=False)
    login(risk.admin)
    before = _cells(_download(client, workbook_url(risk.org)), skip_generated=True)
    moved = risk.teams["A06"][0]
    _move(client, moved, risk.other_org)
    assert db.session.get(Team, moved.id).organisation_id == risk.other_org.id
    after = _cells(_download(client, workbook_url(risk.org)), skip_generated=True)
    for title in before:
        assert after[title] == before[title], f"sheet {title} changed when a team moved provider"
    # The new provider gains nothing from before the move: not in the month, not in its trend.
    gained = open_workbook(_download(client, workbook_url(risk.other_org)))
    trend = [row for row in sheet_rows(gained, "Trend")[1:] if row and isinstance(row[0], type(MONTH))]
    assert trend == [] or all(cell in (0, None) for row in trend for cell in row[1:])
    summary = {row[0]: row[1] for row in sheet_rows(gained, "Summary") if row and row[0]}
    assert summary["Activities"] in (0, "*")


def test_a_locked_month_gives_the_same_workbook_after_admin_changes(
    client: Any, login: Any, make: Any, db: Any
) -> None:
    risk = build_at_risk(make, db, lock=True)
    login(risk.admin)
    url = workbook_url(risk.org)
    first = _download(client, url)
    _move(client, risk.teams["A05"][0], risk.other_org)
    leaver = risk.clinicians["A06"][1]
    response = client.post_form(f"/admin/people/{leaver.id}/deactivate", {})
    assert response.status_code in (302, 200)
    second = _download(client, url)
    assert _cells(second, skip_generated=False) == _cells(first, skip_generated=False)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.workbook_download").order_by(AuditEvent.id)
    ).all()
    digests = [event.details.get("sha256") for event in events[-2:]]
    assert digests == [hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()]


def test_the_cli_refuses_a_future_month_as_the_page_does(app: Any, db: Any, make: Any, tmp_path: Any) -> None:
    org = make.organisation(ods_code="RFT")
    db.session.commit()
    future = date.today().replace(day=1).replace(year=date.today().year + 1)
    result = app.test_cli_runner().invoke(
        args=[
            "report",
            "monthly",
            "--organisation",
            org.ods_code,
            "--month",
            f"{future:%Y-%m}",
            "--output",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 1, result.output
    assert "The month must not be in the future" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["extract", "validation"])
def test_extract_downloads_hold_every_row_and_are_audited_as_completed(
    client: Any, login: Any, make: Any, db: Any, kind: str
) -> None:
    risk = build_at_risk(make, db, lock=True)
    for n, activity in enumerate(risk.activities[:3]):
        activity.service_request_id = f"SR{activity.id}"
        activity.start_time = time(10, 15 * n)  # the first on the hour, which the report queries
        activity.activity_type = make.activity_type("CONSULT_PATIENT")
        activity.activity_type.snomed_concept_id = "11429006"  # consultation (procedure)
    db.session.flush()
    db.session.add(MonthLock(team_id=risk.teams["A06"][0].id, month=date(2026, 9, 1), is_locked=True))
    login(risk.admin)
    path = "mhsds-extract" if kind == "extract" else "mhsds-validation"
    response = client.get(f"/commissioner-reports/{path}?organisation={risk.org.id}&month=2026-10")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    lines = [line for line in body.splitlines() if line]
    if kind == "extract":
        assert len(lines) == 1 + 3, body[:600]
        assert all(f"SR{a.id}" in body for a in risk.activities[:3])
    else:
        from indirect_work.reports import mhsds_extract

        expected = list(mhsds_extract.validation_values(mhsds_extract.extract_rows(risk.org, MONTH)))
        assert expected, "the fixture has rows the validation report lists (the on-the-hour time)"
        assert len(lines) == 1 + len(expected), body[:600]
