"""The import's files: the columns, reading a CSV or XLSX upload into cells, and the downloadable template."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indirect_work.capture.importer.xlsx import MAX_ROWS, XlsxRefused, read_xlsx_rows
from indirect_work.core.spreadsheets import csv_text

#: (column, required?, what it holds) - the template's header and the page's documentation.
COLUMNS: list[tuple[str, str, str]] = [
    ("date", "Required", "Date of the activity: 2026-03-15 or 15/03/2026. Not in the future."),
    (
        "activity_type",
        "Required",
        "The activity type's code (for example CONSULT_TEAM) or its name as shown on the log form.",
    ),
    (
        "duration",
        "Required",
        "How long it took: 45 (minutes), 1:30, 1h30 or 1.5h. From 1 minute to 24 hours.",
    ),
    ("team", "Optional", "Your team's local identifier or name. Empty means your usual team."),
    (
        "consultation_mechanism",
        "Required",
        "How it was delivered: the MHSDS code (01 face to face, 02 telephone, 11 video...) or its name.",
    ),
    ("recipient_types", "Required", "Who received it: codes or names, several separated by semicolons (;)."),
    ("people_reached", "Optional", "How many people it reached, a whole number. Empty means 1."),
    ("start_time", "Patient-specific only", "Start time on the 24-hour clock, for example 14:30."),
    (
        "service_request_id",
        "Patient-specific only",
        "The referral's service request identifier. Never an NHS number.",
    ),
    ("note", "Optional", "Up to 500 characters. No patient names or NHS numbers."),
    (
        "outcomes",
        "Optional",
        "What changed, if known: outcome codes or names separated by semicolons (;), "
        "for example CARE_PLAN_CHANGED; REFERRAL_AVOIDED.",
    ),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]
EXAMPLE_ROW = [
    "2026-03-02",
    "TRAIN_STAFF",
    "1:30",
    "",
    "01",
    "MH_TEAM_STAFF;WARD_STAFF",
    "12",
    "",
    "",
    "Trauma-informed care session",
    "STAFF_SKILLS",
]


class ImportFileError(ValueError):
    """The file as a whole cannot be used (wrong type, encoding, size); the message says why."""


def normalise(text: Any) -> str:
    """Lower case, with runs of spaces, hyphens and underscores as one space: how names are matched."""
    return re.sub(r"[\s_-]+", " ", str(text or "")).strip().lower()


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """Rows of cells from a CSV or XLSX file; raises :class:`ImportFileError` with a readable message."""
    name = (filename or "").lower()
    if not content:
        raise ImportFileError(
            "The file is empty. Choose a CSV or XLSX file with a header row and your records"
        )
    if name.endswith(".xls"):
        raise ImportFileError(
            "That is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV UTF-8"
        )
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise ImportFileError("The file must be a CSV (.csv) or Excel (.xlsx) file")


def _read_csv(content: bytes) -> list[list[Any]]:
    if b"\x00" in content[:4096] or content.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file is not a CSV text file. Save it from your spreadsheet as CSV UTF-8")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file's characters could not be read (it is not UTF-8). In Excel use Save As, then "
            '"CSV UTF-8 (Comma delimited)", and upload that file'
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file could not be read ({exc}). Check the quotes around values"
        ) from None


def _read_xlsx(content: bytes) -> list[list[Any]]:
    try:
        return read_xlsx_rows(content, FormulaCell)
    except XlsxRefused as exc:
        raise ImportFileError(str(exc)) from None


class FormulaCell(str):
    """A cell that holds a formula; its value is never computed or used."""


def cell_text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%H:%M")
            if column in ("start_time", "duration") and value.year < 1901
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):  # a duration cell formatted [h]:mm
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}" if column == "duration" else value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Template ----------------------------------------------------------------------------------------


def template_csv() -> str:
    return csv_text(COLUMN_NAMES, [EXAMPLE_ROW])


def template_xlsx() -> bytes:
    workbook = Workbook()
    # A new workbook's active sheet is its one worksheet (the stubs allow a chartsheet or None).
    sheet = cast(Worksheet, workbook.active)
    sheet.title = "Records"
    sheet.append(COLUMN_NAMES)
    sheet.append(EXAMPLE_ROW)
    for cell in sheet[2]:
        cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMN_NAMES, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(name) + 4)
    notes = workbook.create_sheet("Columns")
    notes.append(["Column", "Needed", "What it holds"])
    for row in COLUMNS:
        notes.append(list(row))
    notes.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
