"""The Completeness sheet: each team's lock, then clinicians expected and contributing per team type.

Clinician counts are figures like any other: they are published per team type, hidden wherever
"By team type" hides that type (or the count itself is small) and rounded, never per team, so the
sheet cannot tell what the breakdowns hide.
"""

from __future__ import annotations

from openpyxl import Workbook

from indirect_work.reports.disclosure import Disclosure
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import Sheet, legend


def completeness(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    """One row per team expected to report, one per team type with its counts, then the totals."""
    sheet = Sheet(workbook, "Completeness")
    sheet.header(("Team local ID", "Team", "Team type code", "Month locked"))
    for team in report.completeness:
        sheet.add(
            [
                sheet.text(team.local_id),
                sheet.text(team.name),
                sheet.text(team.team_type_code),
                sheet.text("Yes" if team.is_locked else "No"),
            ]
        )
    sheet.end_data()
    sheet.blank()
    _team_types(sheet, report, disclosure)
    sheet.blank()
    _totals(sheet, report, disclosure)
    sheet.blank()
    sheet.note(
        "Expected: active clinicians holding a clinician role on an active team of the provider. "
        "Contributing: those with at least one record in the month (counts only, per team type)."
    )
    sheet.note("Clinician totals count each person once, so they can be less than the sum of the team types.")
    legend(sheet, disclosure.policy)
    sheet.write(filter_columns=4)


def _team_types(sheet: Sheet, report: MonthlyReport, disclosure: Disclosure) -> None:
    """Teams, clinicians expected and clinicians contributing for each team type of the provider."""
    header = ("Team type code", "Teams", "Clinicians expected", "Clinicians contributing")
    sheet.add([sheet.text(title, bold=True) for title in header])
    contributing = {line.key: line.figures.clinicians for line in report.team_types.lines}
    local_ids: dict[str, list[str]] = {}
    for team in report.completeness:
        local_ids.setdefault(team.team_type_code, []).append(team.local_id)
    for code, teams in sorted(local_ids.items()):
        hidden = disclosure.pattern.hides("team_types", code)
        expected = disclosure.count(report.expected_union(frozenset(teams)), hidden=hidden)
        counts = [expected, disclosure.count(contributing.get(code, 0), hidden=hidden or expected is None)]
        if None in counts:
            counts = [None, None]
        sheet.add([sheet.text(code), sheet.number(len(teams)), *(sheet.count(value) for value in counts)])


def _totals(sheet: Sheet, report: MonthlyReport, disclosure: Disclosure) -> None:
    """Team counts, then the provider's clinician counts (hidden together when either is small)."""
    teams = report.completeness
    sheet.add([sheet.text("Teams expected", bold=True), sheet.number(len(teams), bold=True)])
    sheet.add(
        [
            sheet.text("Teams with the month locked", bold=True),
            sheet.number(sum(1 for t in teams if t.is_locked), bold=True),
        ]
    )
    counts = [disclosure.count(report.expected_total), disclosure.count(report.contributing_total)]
    if None in counts:
        counts = [None, None]
    for label, value in zip(("Clinicians expected", "Clinicians contributing"), counts, strict=True):
        sheet.add([sheet.text(label, bold=True), sheet.count(value, bold=True)])
