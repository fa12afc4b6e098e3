"""The breakdown sheets: by activity, by team type, by profession, by recipient and mode."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook

from indirect_work.reports.disclosure import Breakdown, Disclosure, Measured, types_table
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import (
    Sheet,
    describe_cell,
    legend,
    suppressed_rows_formula,
    total_row,
)
from indirect_work.reports.workbook.styles import MEASURE_HEADERS


def by_activity(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    sheet = Sheet(workbook, "By activity")
    sheet.header(
        (
            "Level",
            "Category",
            "Activity type code",
            "Activity type",
            "Patient-specific",
            "MHSDS target",
            *MEASURE_HEADERS,
        ),
        numeric_from=7,
    )
    first = sheet.next_row
    for line in report.categories.lines:
        sheet.add(
            [
                sheet.text("Category"),
                sheet.text(line.describe[0]),
                None,
                None,
                None,
                None,
                *sheet.measures(disclosure.row("categories", line), bold=True),
            ]
        )
        types = report.types.get(line.key)
        if types is None:
            continue
        for type_line in types.lines:
            code, label, patient_specific, target = type_line.describe
            sheet.add(
                [
                    sheet.text("Type"),
                    sheet.text(line.describe[0]),
                    sheet.text(code),
                    sheet.text(label),
                    sheet.text("Yes" if patient_specific else "No"),
                    sheet.text(target),
                    *sheet.measures(disclosure.row(types_table(line.key), type_line)),
                ]
            )
    last = sheet.end_data()
    total = total_row(sheet, "Total", 5, disclosure.total(report.current))
    suppressed_rows_formula(sheet, first, last, total, (7, 8, 9), "A", "Category")
    legend(sheet, disclosure.policy)
    sheet.write(filter_columns=10)


def simple_breakdown(
    workbook: Workbook,
    title: str,
    describe_headers: Sequence[str],
    table: str,
    breakdown: Breakdown,
    total: Measured,
    disclosure: Disclosure,
) -> None:
    """One row per key of ``breakdown``; whole numbers among its descriptions are counts (teams)."""
    sheet = Sheet(workbook, title)
    sheet.header((*describe_headers, *MEASURE_HEADERS), numeric_from=len(describe_headers) + 1)
    first = sheet.next_row
    for line in breakdown.lines:
        published = disclosure.row(table, line)
        sheet.add(
            [
                *(
                    sheet.count(disclosure.count(value, hidden=published is None))
                    if isinstance(value, int) and not isinstance(value, bool)
                    else describe_cell(sheet, value)
                    for value in line.describe
                ),
                *sheet.measures(published),
            ]
        )
    last = sheet.end_data()
    width = len(describe_headers)
    total_at = total_row(sheet, "Total", width - 1, disclosure.total(total))
    suppressed_rows_formula(sheet, first, last, total_at, (width + 1, width + 2, width + 3))
    legend(sheet, disclosure.policy)
    sheet.write(filter_columns=width + 4)


def recipient_and_mode(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    sheet = Sheet(workbook, "By recipient and mode")
    sheet.header(("Breakdown", "Code", "Description", *MEASURE_HEADERS), numeric_from=4)
    first = sheet.next_row
    for line in report.mechanisms.lines:
        sheet.add(
            [
                sheet.text("Mode"),
                *(sheet.text(v) for v in line.describe),
                *sheet.measures(disclosure.row("mechanisms", line)),
            ]
        )
    for line in report.recipients.lines:
        sheet.add(
            [
                sheet.text("Recipient type"),
                *(sheet.text(v) for v in line.describe),
                *sheet.measures(disclosure.row("recipients", line)),
            ]
        )
    last = sheet.end_data()
    total = total_row(sheet, "Total (modes)", 2, disclosure.total(report.current))
    suppressed_rows_formula(sheet, first, last, total, (4, 5, 6), "A", "Mode")
    sheet.blank()
    sheet.note(
        "Mode is the MHSDS consultation mechanism; each activity has one, so mode rows add up to the total."
    )
    sheet.note("An activity can name several recipient types, so recipient rows do not add up to the total.")
    legend(sheet, disclosure.policy)
    sheet.write(filter_columns=7)
