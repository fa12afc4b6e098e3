"""The workbook builder: one provider's month of aggregated indirect activity as an .xlsx file.

:func:`build_workbook` is a plain function from already-aggregated figures (:class:`MonthlyReport`)
to a file or stream: no Flask, no database. Workbooks are written in openpyxl's write-only mode
from aggregates only, so memory stays flat however many activities the month holds.
"""

from __future__ import annotations

from datetime import date
from typing import IO

from openpyxl import Workbook

from indirect_work.reports.disclosure import suppressed_keys
from indirect_work.reports.workbook.breakdowns import by_activity, recipient_and_mode, simple_breakdown
from indirect_work.reports.workbook.completeness import completeness
from indirect_work.reports.workbook.dictionary import dictionary
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.summary import summary
from indirect_work.reports.workbook.trend import trend

SHEETS = (
    "Summary",
    "By activity",
    "By team type",
    "By profession",
    "By recipient and mode",
    "Trend",
    "Completeness",
    "Data dictionary",
)


def build_workbook(report: MonthlyReport, target: str | IO[bytes], *, threshold: int = 3) -> None:
    """Write the commissioner workbook for ``report`` to a path or binary stream.

    ``threshold`` is the disclosure-control N: figures from fewer than N distinct clinicians are
    suppressed. The same report always produces the same cell contents.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Indirect Work"
    workbook.properties.created = report.generated_at.replace(tzinfo=None)
    workbook.properties.modified = report.generated_at.replace(tzinfo=None)
    workbook.properties.title = f"Indirect activity {report.ods_code} {report.month:%Y-%m}"
    hidden_categories = suppressed_keys(
        report.categories.lines, threshold, report.categories.union_clinicians
    )
    summary(workbook, report, threshold)
    by_activity(workbook, report, threshold, hidden_categories)
    simple_breakdown(
        workbook,
        "By team type",
        ("Team type code", "Team type", "Teams contributing"),
        report.team_types,
        report.current,
        threshold,
    )
    simple_breakdown(
        workbook,
        "By profession",
        ("Profession", "Profession group", "MHSDS staff group code"),
        report.professions,
        report.current,
        threshold,
    )
    recipient_and_mode(workbook, report, threshold)
    trend(workbook, report, threshold)
    completeness(workbook, report, threshold)
    dictionary(workbook)
    workbook.save(target)


def workbook_filename(ods_code: str, month: date, team_type_code: str | None = None) -> str:
    """``indirect-activity_<ODS>_<YYYY-MM>.xlsx`` (with ``_<team type>`` when one team type is chosen)."""
    suffix = f"_{team_type_code}" if team_type_code else ""
    return f"indirect-activity_{ods_code}_{month:%Y-%m}{suffix}.xlsx"
