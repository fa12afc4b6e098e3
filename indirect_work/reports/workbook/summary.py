"""The Summary sheet: the provider, the period, the headline measures and the notes on method."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import Cell

from indirect_work.reports.disclosure import Disclosure, DisclosurePolicy, Published
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
)


def summary(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    sheet = Sheet(workbook, "Summary")
    sheet.add([sheet.text("Indirect activity of psychological professionals", bold=True)])
    sheet.header_row = 1
    sheet.add([sheet.text("Provider"), sheet.text(report.provider_name)])
    sheet.add([sheet.text("ODS code"), sheet.text(report.ods_code)])
    team_type = f"{report.team_type[0]} {report.team_type[1]}" if report.team_type else "All team types"
    policy = disclosure.policy
    facts = [
        ("Period", sheet.date(report.month, MONTH)),
        ("Period start", sheet.date(report.month)),
        ("Period end", sheet.date(report.period_end)),
        ("Team type", sheet.text(team_type)),
        ("Generated at (UTC)", sheet.date(report.generated_at.replace(tzinfo=None), DATETIME)),
        ("Suppression threshold (clinicians)", sheet.number(policy.threshold)),
        ("Figures rounded to the nearest", sheet.number(policy.rounding)),
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
    for label, now, before, fmt in _headline(report, disclosure):
        sheet.add(_measure_row(sheet, label, now, before, fmt))
    sheet.blank()
    sheet.add([sheet.text("Method", bold=True)])
    for line in method_notes(policy):
        sheet.note(line)
    sheet.widths[1] = max(sheet.widths.get(1, 0), 34)
    sheet.write()


def _headline(
    report: MonthlyReport, disclosure: Disclosure
) -> list[tuple[str, int | float | None, int | float | None, str]]:
    """The published headline measures of the month and the month before (``None`` when hidden)."""
    now, before = disclosure.total(report.current), disclosure.total(report.previous)

    def pick(published: Published | None, name: str) -> int | float | None:
        return None if published is None else getattr(published, name)

    rows: list[tuple[str, int | float | None, int | float | None, str]] = [
        (label, pick(now, name), pick(before, name), fmt)
        for label, name, fmt in (
            ("Activities", "activities", INTEGER),
            ("Hours", "hours", HOURS),
            ("People reached", "people_reached", INTEGER),
            ("Clinicians contributing", "clinicians", INTEGER),
        )
    ]
    teams_now = None if now is None else disclosure.count(report.teams_contributing)
    teams_before = None if before is None else disclosure.count(report.previous_teams_contributing)
    rows.append(("Teams contributing", teams_now, teams_before, INTEGER))
    return rows


def _measure_row(
    sheet: Sheet, label: str, now: int | float | None, before: int | float | None, fmt: str
) -> list[Cell | None]:
    """A measure's cells: this month, last month, the change and the change in per cent."""
    cells: list[Cell | None] = [
        sheet.text(label),
        sheet.suppressed() if now is None else sheet.number(now, fmt),
        sheet.suppressed() if before is None else sheet.number(before, fmt),
    ]
    if now is None or before is None:
        return [*cells, sheet.suppressed(), sheet.suppressed()]
    change = round(now - before, 10) if isinstance(now, float) else now - before
    cells.append(sheet.number(change, fmt))
    cells.append(sheet.number(round((now - before) / before, 6), PERCENT) if before else None)
    return cells


def method_notes(policy: DisclosurePolicy) -> list[str]:
    """The notes on method and disclosure control printed on the Summary sheet."""
    return [
        "Figures count live (not deleted) activity records dated in the period, aggregated in the database. "
        "A provider's records are those logged under it (the organisation recorded on each activity), so "
        "moving a team to another provider later changes no figure of an earlier month.",
        "A session delivered by several staff counts once as an activity and once for its people reached; "
        "hours add each deliverer's own minutes, divided by 60. By profession, each deliverer's time goes "
        "to their own profession and the session to the profession of the person who logged it.",
        "Clinicians contributing counts distinct clinicians who delivered at least one session, "
        "co-deliverers included; a clinician counts once in each row they contributed to, so that column "
        "does not add up.",
        "An activity can name several recipient types, so recipient rows do not add up to the total.",
        "No clinician names or staff identifiers are included. Free-text notes are never included.",
        *policy.notes(),
        "Totals are computed from every record of the period and then published like any other figure. "
        "The row 'In suppressed rows' is a formula (total minus the rows shown) that Excel recalculates "
        "from the published figures.",
        "The previous month uses the same rules. Change and Change % are computed from the published "
        "figures; Change % is blank when the previous month had none.",
        "Once every team of the provider has locked the month, the workbook is published: every later "
        "download of that month is the same file, until a team unlocks it.",
    ]
