"""Reading an uploaded XLSX within fixed bounds, so no file the upload limit admits can exhaust a worker.

An XLSX is a zip of XML parts, and its size on the wire says little about the work it causes: a
5 KB file whose one cell sits at XFD1048576 makes a naive reader build a billion empty cells, and a
few hundred KB can inflate to gigabytes. So, before any cell is read, the zip's directory is checked
(how many parts, how large each one and all of them are once uncompressed - zipfile never inflates a
part beyond the size its directory declares), and the records sheet's markup is scanned once: its
tag count, the cells in each row and the furthest row and column any cell names are held to the
import's limits, and the cells that hold a formula are noted. Only then is the sheet read, by
calamine (a compiled reader about fifteen times quicker than openpyxl, so a full 10,000-record file
costs a fraction of a second). calamine gives a formula's cached result, never the formula, which
is why the scan notes formula cells: they come back wrapped so the caller refuses them.
``tests/capture/test_import_limits.py`` holds a worker under 300 MB and 2 s on crafted files and
on a full file of records.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

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
#: Tags (counted as ``<``) in the sheet read; 10,000 records of the template's ten columns need
#: about 420,000.
MAX_MARKUP = 500_000

#: A row, cell or formula start tag, with or without a namespace prefix, and its attributes.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|f)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})(\d*)["']""")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*ref\s*=\s*["'](?:[A-Z]+\d+:)?([A-Z]+)(\d+)["']""")
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

_BULK_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
_RESAVE = "Save it again from Excel as .xlsx"


class XlsxRefused(ValueError):
    """The workbook is unusable or beyond the limits; the message says why and what to do."""


@dataclass
class SheetScan:
    """What one pass over a sheet's markup found: its extent and where the formulas are."""

    last_row: int = 0
    last_column: int = 0
    formulas: set[tuple[int, int]] = field(default_factory=set)


def read_xlsx_rows(content: bytes, formula: type) -> list[list[Any]]:
    """The first sheet's rows (at most ``MAX_ROWS + 1``, each at most ``MAX_COLUMNS`` cells).

    Empty cells are ``None``. A formula cell comes back as ``formula("=")`` so the caller can
    refuse it without its value ever being used.
    """
    if not content.startswith(b"PK\x03\x04"):
        raise XlsxRefused("The file is not a real Excel .xlsx file. Save it from Excel as .xlsx or CSV UTF-8")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_sizes(archive.infolist())
            name, part = _first_worksheet(archive)
            scan = scan_sheet(archive.read(part))
    except XlsxRefused:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, KeyError) as exc:
        raise _unopenable(exc) from None
    except ElementTree.ParseError as exc:
        raise _unopenable(exc) from None
    return _cells(content, name, scan, formula)


def _cells(content: bytes, name: str, scan: SheetScan, formula: type) -> list[list[Any]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        values = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
    except Exception as exc:  # noqa: BLE001 - a damaged workbook can fail in many ways inside the reader
        raise XlsxRefused(f"The Excel file could not be read ({exc.__class__.__name__}). {_RESAVE}") from None
    rows = [[None if v == "" else v for v in row[:MAX_COLUMNS]] for row in values[: MAX_ROWS + 1]]
    for row_index, column_index in scan.formulas:
        while len(rows) <= row_index:
            rows.append([])
        row = rows[row_index]
        row.extend([None] * (column_index + 1 - len(row)))
        row[column_index] = formula("=")
    return rows


def _first_worksheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """The name and zip part of the workbook's first worksheet (chartsheets are skipped)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter() if rel.get("Id")}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        target = targets.get(sheet.get(_RELATIONSHIPS), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if "worksheets/" in part:
            return sheet.get("name", ""), part
    raise XlsxRefused(f"The Excel file has no worksheet of records. {_RESAVE}")


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
    """Refuse a sheet whose used range reaches beyond the rows and columns read."""
    if max_row > MAX_ROWS + 1 or max_column > MAX_COLUMNS:
        corner = f"{get_column_letter(min(max(max_column, 1), 18278))}{max_row}"
        raise XlsxRefused(
            f"The sheet's used area reaches cell {corner}, beyond the {MAX_ROWS:,} records and "
            f"{MAX_COLUMNS} columns the import reads. Delete the empty rows below your records and "
            "the columns to the right of them (or copy the records into a new workbook), then upload again"
        )


def scan_sheet(markup: bytes) -> SheetScan:
    """One pass over a sheet's XML: refuse it if it is beyond the limits, else say where formulas are.

    The tag count comes first (a byte count, far cheaper than parsing), so a sheet stuffed with
    empty cells or unknown elements costs little before it is refused. Rows and cells are placed as
    a reader places them: by their ``r`` reference where they have one, else next after the last.
    """
    if markup.count(b"<") > MAX_MARKUP:
        _walk(markup[: 64 * 1024])  # a row too wide or a cell too far, said more precisely
        raise XlsxRefused(
            f"The sheet holds more cells than {MAX_ROWS:,} records need, so it was not read. "
            "Delete the empty rows and columns around your records, or split the file"
        )
    declared = _DIMENSION.search(markup)
    if declared:
        check_declared_range(int(declared.group(2)), column_index_from_string(declared.group(1).decode()))
    return _walk(markup)


def _walk(markup: bytes) -> SheetScan:
    scan, row, column, cells = SheetScan(), 0, 0, 0
    for match in _TAG.finditer(markup):
        kind, attributes = match.group(1), match.group(2)
        if kind == b"f":
            scan.formulas.add((row - 1, column - 1))
            continue
        ref = _REF.search(attributes)
        if kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = cells = 0
        else:
            column = column_index_from_string(ref.group(1).decode()) if ref and ref.group(1) else column + 1
            row = int(ref.group(2)) if ref and ref.group(2) else max(row, 1)
            cells += 1
        scan.last_row, scan.last_column = max(scan.last_row, row), max(scan.last_column, column)
        if cells > MAX_COLUMNS:
            raise XlsxRefused(
                f"A row of the sheet has more than {MAX_COLUMNS} cells, beyond the columns the "
                "import reads. Delete the columns to the right of your records, then upload again"
            )
        check_declared_range(scan.last_row, scan.last_column)
    return scan


def _unopenable(exc: Exception) -> XlsxRefused:
    return XlsxRefused(f"The Excel file could not be opened ({exc.__class__.__name__}). {_RESAVE}")
