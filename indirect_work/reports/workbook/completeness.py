"""The Completeness sheet: each team's lock and its clinicians expected versus contributing."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook

from indirect_work.reports.disclosure import Line, suppressed_keys
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import Sheet, legend


def completeness(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    """One row per team expected to report, then the provider's totals (small counts suppressed)."""
    sheet = Sheet(workbook, "Completeness")
    sheet.header(
        (
            "Team local ID",
            "Team",
            "Team type code",
            "Month locked",
            "Clinicians expected",
            "Clinicians contributing",
            "Team contributed",
        ),
        numeric_from=5,
    )
    lines = [Line(team.local_id, (), _Count(team.expected)) for team in report.completeness]
    hidden = suppressed_keys(
        lines, threshold, report.expected_union, size=lambda line: line.figures.clinicians or threshold
    )
    for team in report.completeness:
        counts = (
            [sheet.suppressed(), sheet.suppressed()]
            if team.local_id in hidden
            else [sheet.number(team.expected), sheet.number(team.contributing)]
        )
        sheet.add(
            [
                sheet.text(team.local_id),
                sheet.text(team.name),
                sheet.text(team.team_type_code),
                sheet.text("Yes" if team.is_locked else "No"),
                *counts,
                sheet.text("Yes" if team.has_activity else "No"),
            ]
        )
    sheet.end_data()
    _totals(sheet, report, threshold)
    sheet.blank()
    sheet.note(
        "Expected: active clinicians holding a clinician role on an active team of the provider. "
        "Contributing: those with at least one record in the month (counts only)."
    )
    sheet.note("Clinician totals count each person once, so they can be less than the sum of the team rows.")
    legend(sheet, threshold)
    sheet.write(filter_columns=7)


def _totals(sheet: Sheet, report: MonthlyReport, threshold: int) -> None:
    """Team counts, then clinician counts (suppressed together when the expected total is small)."""
    teams = report.completeness
    sheet.add([sheet.text("Teams expected", bold=True), sheet.number(len(teams), bold=True)])
    sheet.add(
        [
            sheet.text("Teams contributing", bold=True),
            sheet.number(sum(1 for t in teams if t.has_activity), bold=True),
        ]
    )
    sheet.add(
        [
            sheet.text("Teams with the month locked", bold=True),
            sheet.number(sum(1 for t in teams if t.is_locked), bold=True),
        ]
    )
    small_total = 0 < report.expected_total < threshold
    for label, value in (
        ("Clinicians expected", report.expected_total),
        ("Clinicians contributing", report.contributing_total),
    ):
        sheet.add(
            [
                sheet.text(label, bold=True),
                sheet.suppressed(bold=True) if small_total else sheet.number(value, bold=True),
            ]
        )


@dataclass(frozen=True)
class _Count:
    clinicians: int
    activities: int = 0
