"""The commissioner workbook writer: aggregated figures in (:class:`MonthlyReport`), .xlsx bytes out.

The builder lays out the sheets; each group of sheets has its own module, and the suppression
rules come from :mod:`indirect_work.reports.disclosure`, shared with the API.
"""

from indirect_work.reports.workbook.builder import SHEETS, build_workbook, workbook_filename
from indirect_work.reports.workbook.report import MonthlyReport, TeamCompleteness, TrendMonth
from indirect_work.reports.workbook.styles import SUPPRESSED
from indirect_work.reports.workbook.summary import method_notes

__all__ = [
    "SHEETS",
    "SUPPRESSED",
    "MonthlyReport",
    "TeamCompleteness",
    "TrendMonth",
    "build_workbook",
    "method_notes",
    "workbook_filename",
]
