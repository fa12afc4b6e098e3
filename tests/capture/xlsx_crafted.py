"""Crafted XLSX files that cost a naive reader far more than their size: built here, never stored."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_TAIL = b"</sheetData></worksheet>"


def far_cell() -> bytes:
    """About 5 KB: a header row and one cell at XFD1048576, the last cell Excel allows."""
    workbook = Workbook()
    workbook.active.append(["date", "activity_type", "duration"])
    workbook.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_data: bytes) -> bytes:
    """A valid workbook whose first sheet's rows are ``sheet_data`` (no declared used range)."""
    source = zipfile.ZipFile(io.BytesIO(far_cell()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part in source.infolist():
            body = _HEAD + sheet_data + _TAIL if part.filename == SHEET else source.read(part.filename)
            archive.writestr(part.filename, body)
    return out.getvalue()


CRAFTED = {
    # The file: a 1.4 GB, 20 s worker before the limits.
    "far-cell": far_cell,
    # 600 MB of spaces in the sheet, about 600 KB zipped.
    "zip-bomb": lambda: with_sheet(b" " * (600 * 1024 * 1024)),
    # One row of 700,000 cells and no declared range, so only the cells themselves say how wide it is.
    "wide-row": lambda: with_sheet(b'<row r="1">' + b'<c t="n"><v>1</v></c>' * 700_000 + b"</row>"),
    # 600,000 numbered rows, no declared range.
    "many-rows": lambda: with_sheet(b"<row><c><v>1</v></c></row>" * 600_000),
    # The far cell again, with no declared used range: only the cell's own reference says where it is.
    "far-cell-undeclared": lambda: with_sheet(
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    ),
    # Five million unknown elements, which a parser keeps in memory because it never clears them.
    "junk-elements": lambda: with_sheet(b"<x/>" * 5_000_000),
}


def full_file() -> bytes:
    """A genuine file at the limit: 10,000 records of the template's ten columns, as Excel holds them."""
    from datetime import date, time

    from indirect_work.capture.importer import COLUMN_NAMES, MAX_ROWS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMN_NAMES)
    for number in range(MAX_ROWS):
        day = date(2026, 11, 1 + number % 28)
        sheet.append(
            [
                day,
                "TRAIN_STAFF",
                time(1, 30),
                "",
                "01",
                "MH_TEAM_STAFF;WARD_STAFF",
                12,
                time(9, 30),
                "",
                f"Session {number} on trauma-informed care",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: Files the limits admit: reading them must stay as cheap as refusing the crafted ones.
ADMITTED = {"full-file": full_file}
