"""The Summary sheet: the provider, the period, the headline measures and the notes on method."""

from __future__ import annotations

from openpyxl import Workbook

from indirect_work.reports.disclosure import is_small
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import Sheet
from indirect_work.reports.workbook.styles import (
    DATETIME,
    HOURS,
    INTEGER,
    LEFT,
    MONTH,
    PERCENT,
    RIGHT,
    SUPPRESSED,
)


def summary(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    sheet = Sheet(workbook, "Summary")
    sheet.add([sheet.text("Indirect activity of psychological professionals", bold=True)])
    sheet.header_row = 1
    sheet.add([sheet.text("Provider"), sheet.text(report.provider_name)])
    sheet.add([sheet.text("ODS code"), sheet.text(report.ods_code)])
    team_type = f"{report.team_type[0]} {report.team_type[1]}" if report.team_type else "All team types"
    facts = [
        ("Period", sheet.date(report.month, MONTH)),
        ("Period start", sheet.date(report.month)),
        ("Period end", sheet.date(report.period_end)),
        ("Team type", sheet.text(team_type)),
        ("Generated at (UTC)", sheet.date(report.generated_at.replace(tzinfo=None), DATETIME)),
        ("Suppression threshold (clinicians)", sheet.number(threshold)),
    ]
    for label, cell in facts:
        cell.alignment = LEFT
        sheet.add([sheet.text(label), cell])
    sheet.blank()
    measures_header = [
        sheet.text(title, bold=True)
        for title in ("Measure", "This month", "Previous month", "Change", "Change %")
    ]
    for cell in measures_header[1:]:
        cell.alignment = RIGHT
    sheet.add(measures_header)
    hide_now = is_small(report.current, threshold)
    hide_before = is_small(report.previous, threshold)
    rows: list[tuple[str, int | float, int | float, str]] = [
        ("Activities", report.current.activities, report.previous.activities, INTEGER),
        ("Hours", report.current.minutes / 60, report.previous.minutes / 60, HOURS),
        ("People reached", report.current.people_reached, report.previous.people_reached, INTEGER),
        ("Clinicians contributing", report.current.clinicians, report.previous.clinicians, INTEGER),
        ("Teams contributing", report.teams_contributing, report.previous_teams_contributing, INTEGER),
    ]
    for label, now, before, fmt in rows:
        cells = [
            sheet.text(label),
            sheet.suppressed() if hide_now else sheet.number(now, fmt),
            sheet.suppressed() if hide_before else sheet.number(before, fmt),
        ]
        if hide_now or hide_before:
            cells += [sheet.suppressed(), sheet.suppressed()]
        else:
            cells.append(
                sheet.number(round(now - before, 10) if isinstance(now, float) else now - before, fmt)
            )
            cells.append(sheet.number(round((now - before) / before, 6), PERCENT) if before else None)
        sheet.add(cells)
    sheet.blank()
    sheet.add([sheet.text("Method", bold=True)])
    for line in method_notes(threshold):
        sheet.note(line)
    sheet.widths[1] = max(sheet.widths.get(1, 0), 34)
    sheet.write()


def method_notes(threshold: int) -> list[str]:
    """The notes on method and disclosure control printed on the Summary sheet."""
    return [
        "Figures count live (not deleted) activity records dated in the period, aggregated in the database.",
        "Hours are the sum of recorded durations in minutes divided by 60. People reached is the sum of the "
        "number of people each activity reached.",
        "Clinicians contributing counts distinct clinicians with at least one record; a clinician counts "
        "once in each row they contributed to, so that column does not add up.",
        "An activity can name several recipient types, so recipient rows do not add up to the total.",
        "No clinician names or staff identifiers are included. Free-text notes are never included.",
        f"Suppression (primary): any figure built from fewer than {threshold} distinct clinicians is shown "
        f"as {SUPPRESSED}, together with the other measures of that row.",
        "Suppression (secondary): where rows add up to a published total, further rows are hidden, "
        "smallest first, until at least two rows are hidden and together they come from at least "
        f"{threshold} distinct clinicians. The total minus the rows shown therefore reveals only a "
        "combined figure from enough clinicians. An activity type row is hidden whenever its category "
        "is hidden.",
        "Totals are the true totals for the period. The row 'In suppressed rows' is a formula (total minus "
        "the rows shown) that Excel recalculates, so the arithmetic of every table can be checked.",
        "The previous month uses the same rules. Change % is blank when the previous month had none.",
        "The same data always gives the same cell contents; only the generated-at time changes.",
    ]
