"""Number formats, fonts and alignments of the commissioner workbook, and its shared headers."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font

from indirect_work.reports.disclosure import SUPPRESSED as SUPPRESSED

INTEGER = "#,##0"
HOURS = "#,##0.00"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
MONTH = "mmm yyyy"
DATETIME = "yyyy-mm-dd hh:mm:ss"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_RIGHT = Alignment(wrap_text=True, vertical="top", horizontal="right")
LEFT = Alignment(horizontal="left")
RIGHT = Alignment(horizontal="right")
MAX_WIDTH = 60


MEASURE_HEADERS = ("Activities", "Hours", "People reached", "Clinicians contributing")
