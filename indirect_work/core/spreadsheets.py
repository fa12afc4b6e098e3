"""Safe spreadsheet output: user-typed text never becomes a formula (CSV or XLSX).

OWASP CSV injection and ASVS 5.0 1.2.10: a text field starting with ``= + - @``, tab, CR, LF or NUL
is prefixed with ``'`` in CSV, and every field is quoted. In XLSX, openpyxl stores any string
starting with ``=`` as a formula, so user text is written as an explicit string cell with
``quotePrefix`` instead (the text itself is kept unchanged).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def safe_csv_value(value: Any) -> Any:
    """Neutralise text that a spreadsheet would evaluate; numbers and dates pass through."""
    if isinstance(value, str) and value.startswith(RISKY_PREFIXES):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with every field quoted and risky text prefixed (RFC 4180 quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_csv_value(v) for v in row])
    return buffer.getvalue()


def iter_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Streamed form of :func:`csv_text`, one line at a time, for large downloads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_csv_value(v) for v in row])
        yield buffer.getvalue()


def text_cell(sheet: WriteOnlyWorksheet | Worksheet, value: str | None) -> Cell:
    """A write-only cell holding ``value`` as literal text (text format, quotePrefix), never a formula."""
    cell = WriteOnlyCell(sheet, value=None)
    set_text(cell, value)
    return cell


def set_text(cell: Any, value: str | None) -> None:
    """Store ``value`` in any cell as literal text: string type, text format and quotePrefix."""
    cell.value = value
    if value is not None:
        cell.data_type = "s"
    cell.number_format = "@"
    cell.quotePrefix = True
