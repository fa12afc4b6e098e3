"""One write-only sheet of the workbook: cell factories, buffered rows and the shared table rows."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, cast

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart._chart import ChartBase
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder, RowDimension
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PrintPageSetup
from openpyxl.worksheet.properties import WorksheetProperties

from indirect_work.core.spreadsheets import text_cell
from indirect_work.reports.disclosure import DisclosurePolicy, Published
from indirect_work.reports.workbook.styles import (
    BOLD,
    DATE,
    HOURS,
    INTEGER,
    MAX_WIDTH,
    RIGHT,
    SUPPRESSED,
    WRAP,
    WRAP_RIGHT,
)


class _SheetSetup(Protocol):
    """What a write-only sheet has of a worksheet's setup, beyond what types-openpyxl declares for it.

    ``WriteOnlyWorksheet`` runs ``Worksheet._setup`` and borrows ``Worksheet.add_chart``, so it has
    these at runtime; the stubs declare them on ``Worksheet`` only (and type the borrowed method's
    ``self`` as a ``Worksheet``).
    """

    row_dimensions: DimensionHolder[int, RowDimension]
    column_dimensions: DimensionHolder[str, ColumnDimension]
    auto_filter: AutoFilter
    page_setup: PrintPageSetup
    sheet_properties: WorksheetProperties

    def add_chart(self, chart: ChartBase, anchor: str | None = None) -> None: ...


class Sheet:
    """Rows for one write-only sheet, buffered (aggregates only) so widths can be fitted first."""

    def __init__(self, workbook: Workbook, title: str, *, max_width: int = MAX_WIDTH) -> None:
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title)
        self.setup = cast(_SheetSetup, self.ws)
        self.max_width = max_width
        #: Rows below the data kept inside the print area (for a chart).
        self.extra_print_rows = 0
        self.rows: list[list[Cell] | _Note] = []
        self.widths: dict[int, int] = {}
        self.header_row: int | None = None
        self.filter_end: int | None = None

    # Cell factories ------------------------------------------------------------------------
    def text(self, value: str | None, *, bold: bool = False) -> Cell:
        cell = text_cell(self.ws, value)
        if bold:
            cell.font = BOLD
        return cell

    def number(self, value: int | float | None, fmt: str = INTEGER, *, bold: bool = False) -> Cell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        if bold:
            cell.font = BOLD
        return cell

    def date(self, value: date | datetime, fmt: str = DATE) -> Cell:
        # WriteOnlyCell's value parameter is typed without date; the value property takes one.
        cell = WriteOnlyCell(self.ws)
        cell.value = value
        cell.number_format = fmt
        return cell

    def formula(self, value: str, fmt: str = INTEGER) -> Cell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        return cell

    def suppressed(self, *, bold: bool = False) -> Cell:
        cell = self.text(SUPPRESSED, bold=bold)
        cell.alignment = RIGHT
        return cell

    def measures(
        self, published: Published | None, *, bold: bool = False, with_clinicians: bool = True
    ) -> list[Cell]:
        """The four measures of a row as the disclosure policy publishes them (``*`` when hidden)."""
        if published is None:
            return [self.suppressed(bold=bold) for _ in range(4 if with_clinicians else 3)]
        cells = [
            self.number(published.activities, bold=bold),
            self.number(published.hours, HOURS, bold=bold),
            self.number(published.people_reached, bold=bold),
        ]
        if with_clinicians:
            cells.append(self.number(published.clinicians, bold=bold))
        return cells

    def count(self, value: int | None, *, bold: bool = False) -> Cell:
        """A published count, or ``*`` when the policy hides it."""
        return self.suppressed(bold=bold) if value is None else self.number(value, bold=bold)

    # Rows ----------------------------------------------------------------------------------
    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def add(self, cells: Iterable[Cell | None]) -> int:
        row = [cell if cell is not None else WriteOnlyCell(self.ws, value=None) for cell in cells]
        for index, cell in enumerate(row, start=1):
            self.widths[index] = max(self.widths.get(index, 0), _display_width(cell))
        self.rows.append(row)
        return len(self.rows)

    def end_data(self) -> int:
        """Mark the rows so far as the filtered data; returns the last data row."""
        self.filter_end = self.next_row - 1
        return self.filter_end

    def header(self, titles: Sequence[str], numeric_from: int | None = None) -> int:
        """The bold header row; columns from ``numeric_from`` (1-based) hold numbers, so align right."""
        cells = [self.text(title, bold=True) for title in titles]
        for index, cell in enumerate(cells, start=1):
            cell.alignment = WRAP_RIGHT if numeric_from and index >= numeric_from else WRAP
        self.header_row = self.add(cells)
        return self.header_row

    def note(self, text: str) -> None:
        """A line of explanation under the table, wrapped to the table's width when written."""
        self.rows.append(_Note(text))

    def blank(self) -> None:
        self.rows.append([])

    def write(self, *, filter_columns: int | None = None) -> None:
        """Fit widths, freeze and filter the header, set print titles, then stream the rows out."""
        ws, setup = self.ws, self.setup
        for index, width in self.widths.items():
            setup.column_dimensions[get_column_letter(index)].width = self._width(width)
        if self.header_row:
            lines = self._lines(self.rows[self.header_row - 1])
            if lines > 1:
                setup.row_dimensions[self.header_row].height = 15 * lines
            ws.freeze_panes = f"A{self.header_row + 1}"
            ws.print_title_rows = f"1:{self.header_row}"
            if filter_columns and self.filter_end and self.filter_end > self.header_row:
                setup.auto_filter.ref = (
                    f"A{self.header_row}:{get_column_letter(filter_columns)}{self.filter_end}"
                )
        setup.page_setup.orientation = "landscape"
        setup.page_setup.fitToWidth = 1
        setup.page_setup.fitToHeight = 0
        fit = setup.sheet_properties.pageSetUpPr
        if fit is not None:  # new sheet properties come with page setup properties; the type allows none
            fit.fitToPage = True
        table_width = sum(self._width(w) for w in self.widths.values())
        written = 0
        for row in self.rows:
            if isinstance(row, _Note):
                for part in textwrap.wrap(row.text, width=max(int(table_width * 1.15), 70)):
                    ws.append([self.text(part)])
                    written += 1
            else:
                ws.append(row)
                written += 1
        last_row = max(written + self.extra_print_rows, 1)
        ws.print_area = f"A1:{get_column_letter(max(self.widths, default=1))}{last_row}"

    def _lines(self, row: list[Cell] | _Note) -> int:
        """The lines the row's longest text wraps to in the fitted column widths."""
        if isinstance(row, _Note):
            return 1
        return max(
            (
                math.ceil(len(str(cell.value or "")) / max(self._width(self.widths[i]) - 2, 1))
                for i, cell in enumerate(row, start=1)
            ),
            default=1,
        )

    def _width(self, characters: int) -> float:
        return float(min(max(characters + 2, 8), self.max_width))


@dataclass(frozen=True)
class _Note:
    text: str


def _display_width(cell: Cell) -> int:
    value = cell.value
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    text = str(value)
    if text.startswith("=") and cell.data_type == "f":
        return 10
    return len(text)


def suppressed_rows_formula(
    sheet: Sheet,
    first_data: int,
    last_data: int,
    total_at: int,
    columns: Sequence[int],
    level_column: str | None = None,
    level: str | None = None,
) -> None:
    """A row whose formulas give total minus the rows shown: the combined suppressed figure."""
    cells: list[Cell | None] = [sheet.text("In suppressed rows (total minus rows shown)")]
    for index in range(2, max(columns) + 1):
        if index not in columns:
            cells.append(None)
            continue
        col = get_column_letter(index)
        fmt = HOURS if index == columns[1] else INTEGER
        if last_data < first_data:
            cells.append(sheet.formula(f"={col}{total_at}", fmt))
        elif level_column:
            cells.append(
                sheet.formula(
                    f"={col}{total_at}-SUMIF(${level_column}${first_data}:${level_column}${last_data},"
                    f'"{level}",{col}{first_data}:{col}{last_data})',
                    fmt,
                )
            )
        else:
            cells.append(sheet.formula(f"={col}{total_at}-SUM({col}{first_data}:{col}{last_data})", fmt))
    sheet.add(cells)


def total_row(sheet: Sheet, label: str, blanks: int, published: Published | None) -> int:
    """The bold total row: the label, ``blanks`` empty cells, then the totals (or ``*``)."""
    return sheet.add(
        [sheet.text(label, bold=True), *([None] * blanks), *sheet.measures(published, bold=True)]
    )


def legend(sheet: Sheet, policy: DisclosurePolicy) -> None:
    sheet.blank()
    rounding = "" if policy.exact else f" Figures are rounded to the nearest {policy.rounding}."
    sheet.note(
        f"{SUPPRESSED} suppressed: fewer than {policy.threshold} clinicians, or hidden so that a suppressed "
        f"figure cannot be worked out from the total.{rounding} See the Summary sheet."
    )


def describe_cell(sheet: Sheet, value: Any) -> Cell:
    if isinstance(value, bool):
        return sheet.text("Yes" if value else "No")
    if isinstance(value, int):
        return sheet.number(value)
    return sheet.text(None if value is None else str(value))
