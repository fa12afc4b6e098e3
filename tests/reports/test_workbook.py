"""The commissioner workbook: sheets, formats, every figure against the fixture rows, suppression, safety."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from indirect_work.capture.models import MonthLock
from indirect_work.core.db import utcnow
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.disclosure import DisclosurePolicy, disclose
from indirect_work.reports.services import generate_workbook
from indirect_work.reports.workbook import SHEETS, SUPPRESSED, build_workbook, workbook_filename

MONTH = date(2026, 3, 1)
GENERATED = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)


@dataclass
class Fixture:
    org: Any
    teams: list[Any]
    clinicians: list[Any]
    rows: list[Any]  # live activities in MONTH
    previous: list[Any]  # live activities in the month before


def _open(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def exact(threshold: int) -> DisclosurePolicy:
    """Suppression without rounding, so these tests can check every figure's arithmetic exactly."""
    return DisclosurePolicy(threshold=threshold, rounding=1)


def _build(org: Any, threshold: int, **kw: Any) -> openpyxl.Workbook:
    report = collect_monthly_report(org, MONTH, generated_at=GENERATED, **kw)
    whole = collect_monthly_report(org, MONTH, generated_at=GENERATED) if kw.get("team_type_code") else None
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, exact(threshold), whole))
    return _open(buffer.getvalue())


def _table(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _type_counts(wb: openpyxl.Workbook) -> dict[str, list[Any]]:
    """The Completeness sheet's team type block: code -> [teams, clinicians expected, contributing]."""
    rows = _table(wb["Completeness"])
    start = next(i for i, row in enumerate(rows) if row[:1] == ["Team type code"])
    counts = {}
    for row in rows[start + 1 :]:
        if not row or not row[0]:
            break
        counts[row[0]] = row[1:4]
    return counts


def _rows_by(ws: Any, column: int, value: Any) -> list[list[Any]]:
    return [row for row in _table(ws) if row and len(row) > column and row[column] == value]


@pytest.fixture
def data(make: Any, db: Any) -> Fixture:
    org = make.organisation(ods_code="RWB1", name="Workbook Trust", default_commissioner_code="15N")
    adult = make.team(org, name="Adult Community", service_team_type_code="A06", local_id="ADC")
    cyp = make.team(org, name="CAMHS", service_team_type_code="C04", local_id="CYP")
    professions = ["CLIN_PSY", "CLIN_PSY", "CBT", "PWP", "CLIN_PSY"]
    clinicians = [
        make.clinician(adult, profession_code=p, full_name=f"Zed Person{i}", staff_local_id=f"ZX{i:04d}")
        for i, p in enumerate(professions)
    ]
    clinicians.append(
        make.clinician(cyp, profession_code="CWP", full_name="Quinn Solo", staff_local_id="ZQ9999")
    )
    day = date(2026, 3, 12)
    spec = [  # (clinician index, type, minutes, people, mechanism, recipients, team)
        (0, "CONSULT_TEAM", 30, 2, "01", ["MH_TEAM_STAFF"], adult),
        (1, "CONSULT_TEAM", 45, 1, "02", ["MH_TEAM_STAFF", "GP_PRIMARY_CARE"], adult),
        (2, "CONSULT_TEAM", 60, 3, "11", ["WARD_STAFF"], adult),
        (3, "CONSULT_PATIENT", 20, 1, "02", ["GP_PRIMARY_CARE"], adult),
        (0, "TRAIN_STAFF", 120, 15, "01", ["TRAINEES"], adult),
        (1, "TRAIN_STAFF", 90, 10, "01", ["TRAINEES"], adult),
        (4, "TRAIN_STAFF", 60, 8, "11", ["WARD_STAFF"], adult),
        (2, "SUPERVISION_CLINICAL", 60, 1, "01", ["PSYCH_PROFESSIONS"], adult),
        (3, "SUPERVISION_CLINICAL", 50, 1, "01", ["PSYCH_PROFESSIONS"], adult),
        (5, "REFLECTIVE_GROUP", 75, 6, "01", ["MH_TEAM_STAFF"], cyp),
    ]
    rows = [
        make.activity(
            clinicians[i],
            team,
            type_code=t,
            duration_minutes=m,
            people_reached=p,
            consultation_mechanism_code=mech,
            recipients=rec,
            activity_on=day,
            start_time=time(10, 17),
            service_request_id="SR1" if t == "CONSULT_PATIENT" else None,
        )
        for i, t, m, p, mech, rec, team in spec
    ]
    previous = [
        make.activity(
            clinicians[i],
            adult,
            type_code="CONSULT_TEAM",
            duration_minutes=40,
            people_reached=1,
            activity_on=date(2026, 2, 3),
        )
        for i in (0, 1, 2, 3)
    ]
    deleted = make.activity(clinicians[0], adult, duration_minutes=999, activity_on=day)
    deleted.deleted_at = utcnow()
    other_org_team = make.team(make.organisation(), service_team_type_code="A06")
    make.activity(make.clinician(other_org_team), other_org_team, duration_minutes=777, activity_on=day)
    make.activity(clinicians[0], adult, duration_minutes=33, activity_on=date(2026, 4, 1))  # next month
    db.session.add(MonthLock(team_id=adult.id, month=MONTH, is_locked=True))
    db.session.flush()
    return Fixture(org, [adult, cyp], clinicians, rows, previous)


def test_workbook_has_every_sheet_with_bold_frozen_filtered_headers(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    assert wb.sheetnames == list(SHEETS)
    headers = {
        "By activity": [
            "Level",
            "Category",
            "Activity type code",
            "Activity type",
            "Patient-specific",
            "MHSDS target",
            "Activities",
            "Hours",
            "People reached",
            "Clinicians contributing",
        ],
        "By team type": [
            "Team type code",
            "Team type",
            "Teams contributing",
            "Activities",
            "Hours",
            "People reached",
            "Clinicians contributing",
        ],
        "By profession": [
            "Profession",
            "Profession group",
            "MHSDS staff group code",
            "Activities",
            "Hours",
            "People reached",
            "Clinicians contributing",
        ],
        "By recipient and mode": [
            "Breakdown",
            "Code",
            "Description",
            "Activities",
            "Hours",
            "People reached",
            "Clinicians contributing",
        ],
        "Completeness": ["Team local ID", "Team", "Team type code", "Month locked"],
        "Data dictionary": ["Sheet", "Column", "Meaning", "MHSDS item"],
    }
    for title, expected in headers.items():
        ws = wb[title]
        assert [c.value for c in ws[1]][: len(expected)] == expected, title
        assert all(c.font.b for c in ws[1] if c.value), title
        assert ws.freeze_panes == "A2", title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), title
        assert ws.print_title_rows == "$1:$1", title
        assert ws.column_dimensions["A"].width >= 8, title
    trend = wb["Trend"]
    assert trend["A1"].value == "Month" and trend.cell(1, trend.max_column).value == "All categories"
    charts = trend._charts
    assert len(charts) == 1 and charts[0].tagname == "lineChart"
    assert len(charts[0].series) == trend.max_column - 2  # one line per category


def test_summary_figures_and_previous_month_match_the_fixture_rows(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    ws = wb["Summary"]
    values = {row[0]: row[1:] for row in _table(ws) if row and row[0]}
    assert values["Provider"][0] == "Workbook Trust"
    assert values["ODS code"][0] == "RWB1"
    assert values["Period start"][0] == datetime(2026, 3, 1)
    assert values["Period end"][0] == datetime(2026, 3, 31)
    assert values["Generated at (UTC)"][0] == datetime(2026, 4, 2, 9, 30)
    rows, prev = data.rows, data.previous
    minutes = sum(a.duration_minutes for a in rows)
    expected_now = [
        len(rows),
        minutes / 60,
        sum(a.people_reached for a in rows),
        len({a.clinician_id for a in rows}),
        len({a.team_id for a in rows}),
    ]
    expected_before = [
        len(prev),
        sum(a.duration_minutes for a in prev) / 60,
        sum(a.people_reached for a in prev),
        len({a.clinician_id for a in prev}),
        len({a.team_id for a in prev}),
    ]
    for label, now, before in zip(
        ["Activities", "Hours", "People reached", "Clinicians contributing", "Teams contributing"],
        expected_now,
        expected_before,
        strict=True,
    ):
        this_month, last_month, change, change_pct = values[label][:4]
        assert this_month == pytest.approx(now), label
        assert last_month == pytest.approx(before), label
        assert change == pytest.approx(now - before), label
        assert change_pct == pytest.approx((now - before) / before), label
    cell = next(c for c in ws["B"] if c.value == len(rows))
    assert cell.data_type == "n" and cell.number_format == "#,##0"
    hours = next(row for row in ws.iter_rows() if row[0].value == "Hours")[1]
    assert isinstance(hours.value, float) and hours.number_format == "#,##0.00"
    assert ws["B4"].is_date and ws["B4"].number_format == "mmm yyyy"


def test_breakdown_sheets_match_the_fixture_rows(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    rows = data.rows

    def measures(subset: list[Any]) -> list[Any]:
        return [
            len(subset),
            pytest.approx(sum(a.duration_minutes for a in subset) / 60),
            sum(a.people_reached for a in subset),
            len({a.clinician_id for a in subset}),
        ]

    by_activity = wb["By activity"]
    for row in _rows_by(by_activity, 0, "Type"):
        subset = [a for a in rows if a.activity_type.code == row[2]]
        assert row[6:10] == measures(subset), row[2]
        assert row[4] == ("Yes" if subset[0].activity_type.is_patient_specific else "No")
        assert row[5] == ("MHS204" if subset[0].activity_type.mhsds_target == "MHS204" else "Local only")
    categories = {row[1]: row[6:10] for row in _rows_by(by_activity, 0, "Category")}
    assert set(categories) == {a.activity_type.category.label for a in rows}
    for label, figures in categories.items():
        assert figures == measures([a for a in rows if a.activity_type.category.label == label]), label
    total = _rows_by(by_activity, 0, "Total")[0]
    assert total[6:10] == measures(rows)
    check = next(
        r for r in by_activity.iter_rows() if r[0].value and str(r[0].value).startswith("In suppressed")
    )
    assert check[6].data_type == "f" and "SUMIF" in check[6].value

    team_types = {row[0]: row for row in _table(wb["By team type"])[1:] if row[0] in ("A06", "C04")}
    for code, row in team_types.items():
        subset = [a for a in rows if a.team.service_team_type_code == code]
        assert row[2] == 1 and row[3:7] == measures(subset), code

    by_profession = {row[2]: row for row in _table(wb["By profession"])[1:] if row[2]}
    assert len(by_profession) >= 3
    for row in _table(wb["By profession"])[1:]:
        if row[1] in (None, "") or row[0] == "Total":
            continue
        subset = [a for a in rows if a.clinician.profession.label == row[0]]
        assert row[3:7] == measures(subset), row[0]

    mode = wb["By recipient and mode"]
    for row in _rows_by(mode, 0, "Mode"):
        assert row[3:7] == measures([a for a in rows if a.consultation_mechanism_code == row[1]]), row[1]
    for row in _rows_by(mode, 0, "Recipient type"):
        subset = [a for a in rows if row[1] in {r.code for r in a.recipient_types}]
        assert row[3:7] == measures(subset), row[1]
    assert {row[2] for row in _rows_by(mode, 0, "Mode")} == {
        "Face to face",
        "Telephone",
        "Video consultation",
    }
    assert _rows_by(mode, 0, "Total (modes)")[0][3:7] == measures(rows)


def test_trend_and_completeness_match_the_fixture_rows(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    trend = _table(wb["Trend"])
    header, months = trend[0], [r for r in trend[1:] if isinstance(r[0], datetime)]
    assert [m[0].date() for m in months] == [date(2025, y, 1) for y in range(4, 13)] + [
        date(2026, m, 1) for m in (1, 2, 3)
    ]
    march, february = months[-1], months[-2]
    for label in header[1:-1]:
        expected = sum(a.duration_minutes for a in data.rows if a.activity_type.category.label == label) / 60
        assert march[header.index(label)] == pytest.approx(expected), label
    assert march[-1] == pytest.approx(sum(a.duration_minutes for a in data.rows) / 60)
    assert february[-1] == pytest.approx(sum(a.duration_minutes for a in data.previous) / 60)
    assert months[0][-1] == 0

    completeness = {row[0]: row for row in _table(wb["Completeness"])[1:] if row[0] in ("ADC", "CYP")}
    assert completeness["ADC"][1:4] == ["Adult Community", "A06", "Yes"]
    assert completeness["CYP"][1:4] == ["CAMHS", "C04", "No"]
    # Clinician counts are published per team type (teams, expected, contributing), never per team.
    assert _type_counts(wb) == {"A06": [1, 5, 5], "C04": [1, 1, 1]}
    totals = {row[0]: row[1] for row in _table(wb["Completeness"]) if row[0]}
    assert totals["Teams expected"] == 2 and totals["Teams with the month locked"] == 1
    assert totals["Clinicians expected"] == 6 and totals["Clinicians contributing"] == 6


def test_suppression_at_the_threshold_boundary(data: Fixture, make: Any) -> None:
    """Supervision has 2 clinicians (N-1 with N=3): hidden. Consultation has 4, training 3 (N): shown."""
    wb = _build(data.org, threshold=3)
    categories = {row[1]: row for row in _rows_by(wb["By activity"], 0, "Category")}
    assert categories["Consultation"][6:10] == [4, pytest.approx(155 / 60), 7, 4]
    assert categories["Teaching and training delivered"][6:10] == [3, pytest.approx(4.5), 33, 3]
    assert categories["Supervision provided"][6:10] == [SUPPRESSED] * 4
    # Reflective practice (1 clinician) is hidden as well; two hidden rows come from 3 distinct clinicians.
    assert categories["Reflective practice and staff support"][6:10] == [SUPPRESSED] * 4
    # Secondary suppression: a category's only shown type would give the hidden one away, so both go.
    types = {row[2]: row for row in _rows_by(wb["By activity"], 0, "Type")}
    assert types["CONSULT_PATIENT"][6] == SUPPRESSED  # 1 clinician
    assert types["CONSULT_TEAM"][6] == SUPPRESSED  # hidden so CONSULT_PATIENT cannot be worked out
    assert types["SUPERVISION_CLINICAL"][6] == SUPPRESSED  # its category is hidden
    assert types["TRAIN_STAFF"][6] == 3
    total = _rows_by(wb["By activity"], 0, "Total")[0]
    assert total[6] == len(data.rows)  # 6 clinicians: the total is published
    suppressed_cells = [c for row in wb["By activity"].iter_rows() for c in row if c.value == SUPPRESSED]
    assert all(c.data_type == "s" for c in suppressed_cells)
    # The trend's report month hides the same categories as the By activity sheet.
    trend = _table(wb["Trend"])
    march = trend[12]
    assert march[trend[0].index("Supervision provided")] == SUPPRESSED
    assert march[trend[0].index("Consultation")] == pytest.approx(155 / 60)
    # Previous month: 4 clinicians, published; with N=5 it is suppressed everywhere on the Summary.
    summary = {row[0]: row[1:] for row in _table(_build(data.org, threshold=5)["Summary"]) if row and row[0]}
    assert summary["Activities"][:4] == [len(data.rows), SUPPRESSED, SUPPRESSED, SUPPRESSED]
    # Completeness follows "By team type": the 1-clinician type is hidden there, and so is the other
    # type (secondary), so neither type's clinician counts are published.
    assert _type_counts(wb) == {"A06": [1, SUPPRESSED, SUPPRESSED], "C04": [1, SUPPRESSED, SUPPRESSED]}


def test_hidden_rows_never_come_from_fewer_than_n_clinicians_together(data: Fixture) -> None:
    """Total minus the rows shown reveals only a combined figure from at least N clinicians."""
    wb = _build(data.org, threshold=3)
    rows = _table(wb["By profession"])[1:]
    hidden = [r[0] for r in rows if r[0] not in (None, "Total") and r[3] == SUPPRESSED]
    shown = [r[0] for r in rows if r[0] not in (None, "Total") and isinstance(r[3], int)]
    assert hidden and len(hidden) >= 2
    people = {a.clinician_id for a in data.rows if a.clinician.profession.label in hidden}
    assert len(people) >= 3
    assert "Clinical psychologist" in shown  # 3 clinicians


def test_no_clinician_name_or_identifier_in_any_cell(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    text = "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )
    for person in data.clinicians:
        for secret in (person.full_name, person.email, person.staff_local_id, "Person", "Quinn"):
            assert secret not in text
    for activity in data.rows:
        if activity.service_request_id:
            assert activity.service_request_id not in text.split("\n")


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "@SUM(A1)"])
def test_typed_text_is_written_as_text_never_as_a_formula(
    data: Fixture, make: Any, db: Any, payload: str
) -> None:
    data.org.name = payload
    data.teams[0].name = payload
    data.rows[0].activity_type.label = payload
    data.rows[0].note = payload
    data.rows[1].note = payload + " note"
    db.session.flush()
    wb = _build(data.org, threshold=1)
    matches = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == payload]
    assert len(matches) >= 3  # provider, team name, activity type
    assert [(c.data_type, c.quotePrefix) for c in matches] == [("s", True)] * len(matches)
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(f.startswith("=") and ("SUM" in f or f.count("=") == 1) for f in formulas)
    assert not any("HYPERLINK" in f or f[-3:] == "A1)" for f in formulas)
    notes = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "note" in c.value and payload in c.value
    ]
    assert notes == []


def test_same_data_gives_the_same_cells(data: Fixture) -> None:
    def cells(generated: datetime) -> list[tuple[str, str, Any]]:
        report = collect_monthly_report(data.org, MONTH, generated_at=generated)
        buffer = io.BytesIO()
        build_workbook(report, buffer, disclosure=disclose(report, exact(3)))
        wb = _open(buffer.getvalue())
        return [
            (ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
        ]

    first, second = cells(GENERATED), cells(GENERATED)
    assert first == second
    later = cells(datetime(2026, 5, 1, tzinfo=UTC))
    differences = [(a, b) for a, b in zip(first, later, strict=True) if a != b]
    assert [a[:2] for a, _ in differences] == [("Summary", "B8")]


def test_one_team_type_only(data: Fixture) -> None:
    wb = _build(data.org, threshold=1, team_type_code="C04")
    summary = {row[0]: row[1:] for row in _table(wb["Summary"]) if row and row[0]}
    assert summary["Team type"][0].startswith("C04 ")
    assert summary["Activities"][0] == 1
    assert [row[0] for row in _table(wb["Completeness"])[1:] if row[0] in ("ADC", "CYP")] == ["CYP"]
    assert workbook_filename("RWB1", MONTH, "C04") == "indirect-activity_RWB1_2026-03_C04.xlsx"


def test_generate_workbook_names_the_file_and_audits(data: Fixture, db: Any) -> None:
    from sqlalchemy import select

    from indirect_work.audit.models import AuditEvent

    result = generate_workbook(
        data.org,
        MONTH,
        policy=DisclosurePolicy(threshold=3, rounding=5),
        action="report.workbook_generate",
        actor_email="cli",
        generated_at=GENERATED,
    )
    assert result.filename == "indirect-activity_RWB1_2026-03.xlsx"
    assert _open(result.content).sheetnames == list(SHEETS)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.workbook_generate")
    ).one()
    assert event.object_id == str(data.org.id) and event.details["month"] == "2026-03"
    assert Decimal(event.details["threshold"]) == 3 and Decimal(event.details["rounding"]) == 5
    assert event.details["sha256"] == hashlib.sha256(result.content).hexdigest()


def test_an_empty_month_still_builds(make: Any) -> None:
    org = make.organisation(ods_code="REMPTY")
    make.team(org)
    wb = _build(org, threshold=3)
    summary = {row[0]: row[1:] for row in _table(wb["Summary"]) if row and row[0]}
    assert summary["Activities"][:3] == [0, 0, 0]
    assert summary["Activities"][3] is None  # no change % without a previous month


def test_data_dictionary_explains_every_column_with_its_mhsds_item(data: Fixture) -> None:
    wb = _build(data.org, threshold=1)
    entries = [row for row in _table(wb["Data dictionary"])[1:] if row[0]]
    assert all(row[2] and row[3] for row in entries)
    for title in SHEETS[1:-1]:
        headers = [c.value for c in wb[title][1] if c.value]
        if title == "Trend":
            headers = [headers[0], headers[-1]]  # the category columns are explained together
        for header in headers:
            assert any(row[0] in (title, "All") and header.lower() in row[1].lower() for row in entries), (
                title,
                header,
            )
    items = " ".join(row[3] for row in entries)
    for item in (
        "DurationIndirectAct",
        "ServTeamTypeMH",
        "CareProfStaffGpMH",
        "ConsMechanismMH",
        "OrgIDProvider",
        "IndActProcedure",
    ):
        assert item in items
