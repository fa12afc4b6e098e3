"""The workbook builder: one provider's month of aggregated indirect activity as an .xlsx file.

:func:`build_workbook` is a plain function from already-aggregated figures (:class:`MonthlyReport`)
to a file or stream: no Flask, no database. Workbooks are written in openpyxl's write-only mode
from aggregates only, so memory stays flat however many activities the month holds.
"""

from __future__ import annotations

from datetime import date
from typing import IO

from openpyxl import Workbook

from indirect_work.reports.disclosure import Disclosure
from indirect_work.reports.workbook.breakdowns import by_activity, recipient_and_mode, simple_breakdown
from indirect_work.reports.workbook.completeness import completeness
from indirect_work.reports.workbook.dictionary import dictionary
from indirect_work.reports.workbook.impact import impact_sheet
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
    "Impact",
    "Data dictionary",
)


def build_workbook(report: MonthlyReport, target: str | IO[bytes], *, disclosure: Disclosure) -> None:
    """Write the commissioner workbook for ``report`` to a path or binary stream.

    ``disclosure`` (from :func:`reports.disclosure.disclose`) decides every figure that is shown;
    the writer only lays them out. The same report always produces the same cell contents.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Indirect Work"
    workbook.properties.created = report.generated_at.replace(tzinfo=None)
    workbook.properties.modified = report.generated_at.replace(tzinfo=None)
    workbook.properties.title = f"Indirect activity {report.ods_code} {report.month:%Y-%m}"
    summary(workbook, report, disclosure)
    by_activity(workbook, report, disclosure)
    simple_breakdown(
        workbook,
        "By team type",
        ("Team type code", "Team type", "Teams contributing"),
        "team_types",
        report.team_types,
        report.current,
        disclosure,
    )
    simple_breakdown(
        workbook,
        "By profession",
        ("Profession", "Profession group", "MHSDS staff group code"),
        "professions",
        report.professions,
        report.current,
        disclosure,
    )
    recipient_and_mode(workbook, report, disclosure)
    trend(workbook, report, disclosure)
    completeness(workbook, report, disclosure)
    impact_sheet(workbook, report, disclosure)
    dictionary(workbook)
    workbook.save(target)


def workbook_filename(ods_code: str, month: date, team_type_code: str | None = None) -> str:
    """``indirect-activity_<ODS>_<YYYY-MM>.xlsx`` (with ``_<team type>`` when one team type is chosen)."""
    suffix = f"_{team_type_code}" if team_type_code else ""
    return f"indirect-activity_{ods_code}_{month:%Y-%m}{suffix}.xlsx"
