"""Reading an uploaded XLSX within fixed bounds, so no file the upload limit admits can exhaust a worker.

An XLSX is a zip of XML parts, and its size on the wire says little about the work it causes: a
5 KB file whose one cell sits at XFD1048576 makes a naive reader build a billion empty cells, and a
few hundred KB can inflate to gigabytes. So, before openpyxl parses anything, the zip's directory is
checked (how many parts, how large each one and all of them are once uncompressed - zipfile never
inflates a part beyond the size its directory declares); the sheet's declared used range is checked
against the row and column limits; and the rows are then streamed in read-only mode with the row and
column bounds passed to openpyxl, so even a sheet whose declared range lies cannot make it pad more
than ``MAX_ROWS`` rows of ``MAX_COLUMNS`` cells. ``tests/capture/test_import_limits.py`` holds a
worker under 300 MB and 2 s on crafted files.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

#: Records one file may hold; the header row comes on top.
MAX_ROWS = 10_000
#: Columns read; the template has ten, so this leaves room for a lead's own notes columns.
MAX_COLUMNS = 40
#: Uncompressed size of the whole workbook; a full 10,000-record file is well under a quarter of it.
MAX_UNCOMPRESSED = 24 * 1024 * 1024
#: Uncompressed size of any part other than a worksheet or the shared strings (styles, theme...).
MAX_OTHER_PART = 4 * 1024 * 1024
#: Parts in the zip; Excel writes about a dozen.
MAX_PARTS = 500
#: Tags (counted as ``<``) in the sheet read: openpyxl's work is about proportional to them, and
#: 10,000 records of the template's ten columns need about 420,000.
MAX_MARKUP = 500_000

_CELL_OR_ROW = re.compile(rb"<(row|c)[\s/>]")

_BULK_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
_RESAVE = "Save it again from Excel as .xlsx"


class XlsxRefused(ValueError):
    """The workbook is unusable or beyond the limits; the message says why and what to do."""


def read_xlsx_rows(content: bytes, formula: type) -> list[list[Any]]:
    """The first sheet's rows (at most ``MAX_ROWS + 1``, each at most ``MAX_COLUMNS`` cells).

    A formula cell comes back wrapped in ``formula`` so the caller can refuse it without computing it.
    """
    if not content.startswith(b"PK\x03\x04"):
        raise XlsxRefused("The file is not a real Excel .xlsx file. Save it from Excel as .xlsx or CSV UTF-8")
    check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook can fail in many ways inside openpyxl
        raise _unopenable(exc) from None
    try:
        sheet = workbook.worksheets[0]
        check_declared_range(sheet.max_row or 0, sheet.max_column or 0)
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS):
            rows.append([formula(c.value) if c.data_type == "f" else c.value for c in row])
        return rows
    except XlsxRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - as above
        raise XlsxRefused(f"The Excel file could not be read ({exc.__class__.__name__}). {_RESAVE}") from None
    finally:
        workbook.close()


def check_archive(content: bytes) -> None:
    """Refuse a zip beyond the limits before openpyxl parses any of it.

    The declared sizes are checked before anything is inflated; then each worksheet is streamed
    through :func:`check_sheet_markup`, because openpyxl parses every sheet when it opens a workbook.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            _check_sizes(parts)
            for part in parts:
                if part.filename.lower().startswith("xl/worksheets/") and not part.is_dir():
                    check_sheet_markup(archive, part.filename)
    except XlsxRefused:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _unopenable(exc) from None


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise XlsxRefused(
            f"The Excel file has {len(parts):,} parts inside it, more than a workbook of records needs. "
            "Copy the records into a new workbook and upload that"
        )
    total = sum(part.file_size for part in parts)
    bulky = [p for p in parts if not p.filename.lower().startswith(_BULK_PARTS)]
    if total > MAX_UNCOMPRESSED or any(p.file_size > MAX_OTHER_PART for p in bulky):
        raise XlsxRefused(
            f"The Excel file unpacks to more than {MAX_UNCOMPRESSED // (1024 * 1024)} MB, far more than "
            f"{MAX_ROWS:,} records need, so it was not read. Save only the records sheet as CSV UTF-8, "
            "or copy the records into a new workbook, and upload that"
        )


def check_declared_range(max_row: int, max_column: int) -> None:
    """Refuse a sheet whose used range (as the file declares it) is beyond the rows and columns read."""
    if max_row > MAX_ROWS + 1 or max_column > MAX_COLUMNS:
        corner = f"{get_column_letter(min(max(max_column, 1), 18278))}{max_row}"
        raise XlsxRefused(
            f"The sheet's used area reaches cell {corner}, beyond the {MAX_ROWS:,} records and "
            f"{MAX_COLUMNS} columns the import reads. Delete the empty rows below your records and "
            "the columns to the right of them (or copy the records into a new workbook), then upload again"
        )


def check_sheet_markup(archive: zipfile.ZipFile, part: str) -> None:
    """Refuse a sheet with more tags, or a row with more cells, than the import reads.

    This streams the part's bytes once (a byte count and a regular expression, far cheaper than
    parsing), so a sheet stuffed with empty cells or unknown elements costs little before it is refused.
    """
    markup = cells_in_row = 0
    tail = b""
    with archive.open(part) as source:
        while chunk := source.read(1024 * 1024):
            markup += chunk.count(b"<")
            if markup > MAX_MARKUP:
                raise XlsxRefused(
                    f"The sheet holds more cells than {MAX_ROWS:,} records need, so it was not read. "
                    "Delete the empty rows and columns around your records, or split the file"
                )
            text = tail + chunk
            for match in _CELL_OR_ROW.finditer(text):
                if match.end() <= len(tail):
                    continue  # matched in the previous chunk
                cells_in_row = 0 if match.group(1) == b"row" else cells_in_row + 1
                if cells_in_row > MAX_COLUMNS:
                    raise XlsxRefused(
                        f"A row of the sheet has more than {MAX_COLUMNS} cells, beyond the columns the "
                        "import reads. Delete the columns to the right of your records, then upload again"
                    )
            tail = text[-5:]


def _unopenable(exc: Exception) -> XlsxRefused:
    return XlsxRefused(f"The Excel file could not be opened ({exc.__class__.__name__}). {_RESAVE}")
