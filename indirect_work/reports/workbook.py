"""The commissioner workbook: one provider's month of aggregated indirect activity as an .xlsx file.

:func:`build_workbook` is a plain function from already-aggregated figures (:class:`MonthlyReport`)
to a file or stream: no Flask, no database. Workbooks are written in openpyxl's write-only mode
from aggregates only, so memory stays flat however many activities the month holds.

Disclosure control: a figure built from fewer than ``threshold`` distinct clinicians is shown as
``*`` (primary suppression). Where a table's rows add up to a total that is shown, more rows are
hidden (secondary suppression, smallest first) until the hidden rows together come from at least
``threshold`` distinct clinicians and at least two rows are hidden, so "total minus the rows shown"
only ever reveals a combined figure that could itself have been published.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from indirect_work.core.spreadsheets import text_cell

SUPPRESSED = "*"
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
MEASURE_HEADERS = ("Activities", "Hours", "People reached", "Clinicians contributing")


class Measured(Protocol):
    """Anything carrying the four published measures (``queries.Totals`` and ``RollupRow`` do)."""

    @property
    def activities(self) -> int: ...

    @property
    def minutes(self) -> int: ...

    @property
    def people_reached(self) -> int: ...

    @property
    def clinicians(self) -> int: ...


#: Distinct clinicians behind a set of a breakdown's row keys taken together.
UnionCounter = Callable[[frozenset[Any]], int]


@dataclass(frozen=True)
class Line:
    """One row of a breakdown: its key, its descriptive cells (in column order) and its measures."""

    key: Hashable
    describe: tuple[Any, ...]
    figures: Measured


@dataclass(frozen=True)
class Breakdown:
    """Rows that add up to ``total`` (unless ``additive`` is false), with a distinct-clinician counter."""

    lines: tuple[Line, ...]
    total: Measured
    union_clinicians: UnionCounter
    additive: bool = True


@dataclass(frozen=True)
class TeamCompleteness:
    """One team's month: whether it is locked, and its clinicians expected versus contributing."""

    local_id: str
    name: str
    team_type_code: str
    is_locked: bool
    expected: int
    contributing: int
    has_activity: bool


@dataclass(frozen=True)
class TrendMonth:
    month: date
    total: Measured
    #: Category rows of the month, keyed by category id.
    categories: Breakdown


@dataclass(frozen=True)
class MonthlyReport:
    """Every figure of one provider's month (optionally one team type), ready to write."""

    provider_name: str
    ods_code: str
    month: date
    period_end: date
    generated_at: datetime
    team_type: tuple[str, str] | None
    current: Measured
    previous: Measured
    teams_contributing: int
    previous_teams_contributing: int
    #: Category rows, keyed by category id; describe = (label,).
    categories: Breakdown
    #: Type rows per category id, keyed by type id; describe = (code, label, patient-specific, MHSDS target).
    types: dict[Any, Breakdown]
    #: Keyed by team type code; describe = (code, description, teams contributing).
    team_types: Breakdown
    #: Keyed by profession id; describe = (label, group, staff group code).
    professions: Breakdown
    #: Keyed by mechanism code; describe = (code, label).
    mechanisms: Breakdown
    #: Keyed by recipient type id; describe = (code, label). Not additive.
    recipients: Breakdown
    #: Category (id, label) columns of the trend sheet, in order.
    trend_categories: tuple[tuple[Any, str], ...]
    trend: tuple[TrendMonth, ...]
    completeness: tuple[TeamCompleteness, ...]
    #: Distinct clinicians expected across the given team local ids (for completeness suppression).
    expected_union: UnionCounter = field(default=lambda keys: 0)
    expected_total: int = 0
    contributing_total: int = 0


# Disclosure control -----------------------------------------------------------------------------


def suppressed_keys(
    lines: Sequence[Line],
    threshold: int,
    union: UnionCounter,
    size: Callable[[Line], int] = lambda line: line.figures.clinicians,
) -> frozenset[Any]:
    """Keys of the rows to hide: primary (fewer than ``threshold`` clinicians), then secondary.

    Secondary rows are taken smallest first (clinicians, then activities, then row order) until at
    least two rows are hidden and the hidden rows together come from ``threshold`` or more distinct
    clinicians, or every row is hidden.
    """
    hidden = {line.key for line in lines if size(line) < threshold}
    if not hidden:
        return frozenset()
    rest = sorted(
        (line for line in lines if line.key not in hidden),
        key=lambda line: (size(line), getattr(line.figures, "activities", 0), lines.index(line)),
    )
    while rest and (len(hidden) < 2 or union(frozenset(hidden)) < threshold):
        hidden.add(rest.pop(0).key)
    return frozenset(hidden)


def is_small(figures: Measured, threshold: int) -> bool:
    """Whether a total itself comes from too few clinicians to publish (an empty total is fine)."""
    return 0 < figures.clinicians < threshold


# Cell writing ------------------------------------------------------------------------------------


class _Sheet:
    """Rows for one write-only sheet, buffered (aggregates only) so widths can be fitted first."""

    def __init__(self, workbook: Workbook, title: str, *, max_width: int = MAX_WIDTH) -> None:
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title)
        self.max_width = max_width
        #: Rows below the data kept inside the print area (for a chart).
        self.extra_print_rows = 0
        self.rows: list[list[WriteOnlyCell]] = []
        self.widths: dict[int, int] = {}
        self.header_row: int | None = None
        self.filter_end: int | None = None

    # Cell factories ------------------------------------------------------------------------
    def text(self, value: str | None, *, bold: bool = False) -> WriteOnlyCell:
        cell = text_cell(self.ws, value)
        if bold:
            cell.font = BOLD
        return cell

    def number(self, value: int | float | None, fmt: str = INTEGER, *, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        if bold:
            cell.font = BOLD
        return cell

    def date(self, value: date | datetime, fmt: str = DATE) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        return cell

    def formula(self, value: str, fmt: str = INTEGER) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = fmt
        return cell

    def suppressed(self, *, bold: bool = False) -> WriteOnlyCell:
        cell = self.text(SUPPRESSED, bold=bold)
        cell.alignment = RIGHT
        return cell

    def measures(
        self, figures: Measured, hidden: bool, *, bold: bool = False, with_clinicians: bool = True
    ) -> list[WriteOnlyCell]:
        if hidden:
            return [self.suppressed(bold=bold) for _ in range(4 if with_clinicians else 3)]
        cells = [
            self.number(figures.activities, bold=bold),
            self.number(figures.minutes / 60, HOURS, bold=bold),
            self.number(figures.people_reached, bold=bold),
        ]
        if with_clinicians:
            cells.append(self.number(figures.clinicians, bold=bold))
        return cells

    # Rows ----------------------------------------------------------------------------------
    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def add(self, cells: Iterable[WriteOnlyCell | None]) -> int:
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
        self.rows.append([_Note(text)])  # type: ignore[list-item]

    def blank(self) -> None:
        self.rows.append([])

    def write(self, *, filter_columns: int | None = None) -> None:
        """Fit widths, freeze and filter the header, set print titles, then stream the rows out."""
        ws = self.ws
        for index, width in self.widths.items():
            ws.column_dimensions[get_column_letter(index)].width = self._width(width)
        if self.header_row:
            lines = max(
                (
                    math.ceil(len(str(cell.value or "")) / max(self._width(self.widths[i]) - 2, 1))
                    for i, cell in enumerate(self.rows[self.header_row - 1], start=1)
                ),
                default=1,
            )
            if lines > 1:
                ws.row_dimensions[self.header_row].height = 15 * lines
            ws.freeze_panes = f"A{self.header_row + 1}"
            ws.print_title_rows = f"1:{self.header_row}"
            if filter_columns and self.filter_end and self.filter_end > self.header_row:
                ws.auto_filter.ref = (
                    f"A{self.header_row}:{get_column_letter(filter_columns)}{self.filter_end}"
                )
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        table_width = sum(self._width(w) for w in self.widths.values())
        written = 0
        for row in self.rows:
            if row and isinstance(row[0], _Note):
                for part in textwrap.wrap(row[0].text, width=max(int(table_width * 1.15), 70)):
                    ws.append([self.text(part)])
                    written += 1
            else:
                ws.append(row)
                written += 1
        last_row = max(written + self.extra_print_rows, 1)
        ws.print_area = f"A1:{get_column_letter(max(self.widths, default=1))}{last_row}"

    def _width(self, characters: int) -> float:
        return float(min(max(characters + 2, 8), self.max_width))


@dataclass(frozen=True)
class _Note:
    text: str


def _display_width(cell: WriteOnlyCell) -> int:
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


# The sheets --------------------------------------------------------------------------------------


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
    _summary(workbook, report, threshold)
    _by_activity(workbook, report, threshold, hidden_categories)
    _simple_breakdown(
        workbook,
        "By team type",
        ("Team type code", "Team type", "Teams contributing"),
        report.team_types,
        report.current,
        threshold,
    )
    _simple_breakdown(
        workbook,
        "By profession",
        ("Profession", "Profession group", "MHSDS staff group code"),
        report.professions,
        report.current,
        threshold,
    )
    _recipient_and_mode(workbook, report, threshold)
    _trend(workbook, report, threshold)
    _completeness(workbook, report, threshold)
    _dictionary(workbook)
    workbook.save(target)


def _summary(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    sheet = _Sheet(workbook, "Summary")
    sheet.add([sheet.text("Indirect activity of psychological professionals", bold=True)])
    sheet.header_row = 1
    sheet.add([sheet.text("Provider"), sheet.text(report.provider_name)])
    sheet.add([sheet.text("ODS code"), sheet.text(report.ods_code)])
    team_type = f"{report.team_type[0]} {report.team_type[1]}" if report.team_type else "All team types"
    facts = [
        ("Period", sheet.date(report.month, MONTH)),
        ("Period start", sheet.date(report.month)),
        ("Period end", sheet.date(report.period_end)),
        ("Team type", sheet.text(team_type)),
        ("Generated at (UTC)", sheet.date(report.generated_at.replace(tzinfo=None), DATETIME)),
        ("Suppression threshold (clinicians)", sheet.number(threshold)),
    ]
    for label, cell in facts:
        cell.alignment = LEFT
        sheet.add([sheet.text(label), cell])
    sheet.blank()
    measures_header = [
        sheet.text(title, bold=True)
        for title in ("Measure", "This month", "Previous month", "Change", "Change %")
    ]
    for cell in measures_header[1:]:
        cell.alignment = RIGHT
    sheet.add(measures_header)
    hide_now = is_small(report.current, threshold)
    hide_before = is_small(report.previous, threshold)
    rows: list[tuple[str, int | float, int | float, str]] = [
        ("Activities", report.current.activities, report.previous.activities, INTEGER),
        ("Hours", report.current.minutes / 60, report.previous.minutes / 60, HOURS),
        ("People reached", report.current.people_reached, report.previous.people_reached, INTEGER),
        ("Clinicians contributing", report.current.clinicians, report.previous.clinicians, INTEGER),
        ("Teams contributing", report.teams_contributing, report.previous_teams_contributing, INTEGER),
    ]
    for label, now, before, fmt in rows:
        cells = [
            sheet.text(label),
            sheet.suppressed() if hide_now else sheet.number(now, fmt),
            sheet.suppressed() if hide_before else sheet.number(before, fmt),
        ]
        if hide_now or hide_before:
            cells += [sheet.suppressed(), sheet.suppressed()]
        else:
            cells.append(
                sheet.number(round(now - before, 10) if isinstance(now, float) else now - before, fmt)
            )
            cells.append(sheet.number(round((now - before) / before, 6), PERCENT) if before else None)
        sheet.add(cells)
    sheet.blank()
    sheet.add([sheet.text("Method", bold=True)])
    for line in method_notes(threshold):
        sheet.note(line)
    sheet.widths[1] = max(sheet.widths.get(1, 0), 34)
    sheet.write()


def method_notes(threshold: int) -> list[str]:
    """The notes on method and disclosure control printed on the Summary sheet."""
    return [
        "Figures count live (not deleted) activity records dated in the period, aggregated in the database.",
        "Hours are the sum of recorded durations in minutes divided by 60. People reached is the sum of the "
        "number of people each activity reached.",
        "Clinicians contributing counts distinct clinicians with at least one record; a clinician counts "
        "once in each row they contributed to, so that column does not add up.",
        "An activity can name several recipient types, so recipient rows do not add up to the total.",
        "No clinician names or staff identifiers are included. Free-text notes are never included.",
        f"Suppression (primary): any figure built from fewer than {threshold} distinct clinicians is shown "
        f"as {SUPPRESSED}, together with the other measures of that row.",
        "Suppression (secondary): where rows add up to a published total, further rows are hidden, "
        "smallest first, until at least two rows are hidden and together they come from at least "
        f"{threshold} distinct clinicians. The total minus the rows shown therefore reveals only a "
        "combined figure from enough clinicians. An activity type row is hidden whenever its category "
        "is hidden.",
        "Totals are the true totals for the period. The row 'In suppressed rows' is a formula (total minus "
        "the rows shown) that Excel recalculates, so the arithmetic of every table can be checked.",
        "The previous month uses the same rules. Change % is blank when the previous month had none.",
        "The same data always gives the same cell contents; only the generated-at time changes.",
    ]


def _suppressed_rows_formula(
    sheet: _Sheet,
    first_data: int,
    last_data: int,
    total_row: int,
    columns: Sequence[int],
    level_column: str | None = None,
    level: str | None = None,
) -> None:
    """A row whose formulas give total minus the rows shown: the combined suppressed figure."""
    cells: list[WriteOnlyCell | None] = [sheet.text("In suppressed rows (total minus rows shown)")]
    for index in range(2, max(columns) + 1):
        if index not in columns:
            cells.append(None)
            continue
        col = get_column_letter(index)
        fmt = HOURS if index == columns[1] else INTEGER
        if last_data < first_data:
            cells.append(sheet.formula(f"={col}{total_row}", fmt))
        elif level_column:
            cells.append(
                sheet.formula(
                    f"={col}{total_row}-SUMIF(${level_column}${first_data}:${level_column}${last_data},"
                    f'"{level}",{col}{first_data}:{col}{last_data})',
                    fmt,
                )
            )
        else:
            cells.append(sheet.formula(f"={col}{total_row}-SUM({col}{first_data}:{col}{last_data})", fmt))
    sheet.add(cells)


def _total_row(sheet: _Sheet, label: str, blanks: int, figures: Measured, threshold: int) -> int:
    """The bold total row: the label, ``blanks`` empty cells, then the true totals (or ``*``)."""
    return sheet.add(
        [
            sheet.text(label, bold=True),
            *([None] * blanks),
            *sheet.measures(figures, is_small(figures, threshold), bold=True),
        ]
    )


def _legend(sheet: _Sheet, threshold: int) -> None:
    sheet.blank()
    sheet.note(
        f"{SUPPRESSED} suppressed: fewer than {threshold} clinicians, or hidden so that a suppressed "
        "figure cannot be worked out from the total. See the Summary sheet."
    )


def _by_activity(
    workbook: Workbook, report: MonthlyReport, threshold: int, hidden_categories: frozenset[Any]
) -> None:
    sheet = _Sheet(workbook, "By activity")
    sheet.header(
        (
            "Level",
            "Category",
            "Activity type code",
            "Activity type",
            "Patient-specific",
            "MHSDS target",
            *MEASURE_HEADERS,
        ),
        numeric_from=7,
    )
    first = sheet.next_row
    for line in report.categories.lines:
        category_hidden = line.key in hidden_categories
        sheet.add(
            [
                sheet.text("Category"),
                sheet.text(line.describe[0]),
                None,
                None,
                None,
                None,
                *sheet.measures(line.figures, category_hidden, bold=True),
            ]
        )
        types = report.types.get(line.key)
        if types is None:
            continue
        hidden_types = (
            frozenset(t.key for t in types.lines)
            if category_hidden
            else suppressed_keys(types.lines, threshold, types.union_clinicians)
        )
        for type_line in types.lines:
            code, label, patient_specific, target = type_line.describe
            sheet.add(
                [
                    sheet.text("Type"),
                    sheet.text(line.describe[0]),
                    sheet.text(code),
                    sheet.text(label),
                    sheet.text("Yes" if patient_specific else "No"),
                    sheet.text(target),
                    *sheet.measures(type_line.figures, type_line.key in hidden_types),
                ]
            )
    last = sheet.end_data()
    total = _total_row(sheet, "Total", 5, report.current, threshold)
    _suppressed_rows_formula(sheet, first, last, total, (7, 8, 9), "A", "Category")
    _legend(sheet, threshold)
    sheet.write(filter_columns=10)


def _simple_breakdown(
    workbook: Workbook,
    title: str,
    describe_headers: Sequence[str],
    breakdown: Breakdown,
    total: Measured,
    threshold: int,
) -> None:
    sheet = _Sheet(workbook, title)
    sheet.header((*describe_headers, *MEASURE_HEADERS), numeric_from=len(describe_headers) + 1)
    hidden = suppressed_keys(breakdown.lines, threshold, breakdown.union_clinicians)
    first = sheet.next_row
    for line in breakdown.lines:
        sheet.add(
            [
                *(_describe_cell(sheet, value) for value in line.describe),
                *sheet.measures(line.figures, line.key in hidden),
            ]
        )
    last = sheet.end_data()
    width = len(describe_headers)
    total_row = _total_row(sheet, "Total", width - 1, total, threshold)
    _suppressed_rows_formula(sheet, first, last, total_row, (width + 1, width + 2, width + 3))
    _legend(sheet, threshold)
    sheet.write(filter_columns=width + 4)


def _describe_cell(sheet: _Sheet, value: Any) -> WriteOnlyCell:
    if isinstance(value, bool):
        return sheet.text("Yes" if value else "No")
    if isinstance(value, int):
        return sheet.number(value)
    return sheet.text(None if value is None else str(value))


def _recipient_and_mode(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    sheet = _Sheet(workbook, "By recipient and mode")
    sheet.header(("Breakdown", "Code", "Description", *MEASURE_HEADERS), numeric_from=4)
    first = sheet.next_row
    hidden = suppressed_keys(report.mechanisms.lines, threshold, report.mechanisms.union_clinicians)
    for line in report.mechanisms.lines:
        sheet.add(
            [
                sheet.text("Mode"),
                *(sheet.text(v) for v in line.describe),
                *sheet.measures(line.figures, line.key in hidden),
            ]
        )
    hidden = suppressed_keys(report.recipients.lines, threshold, report.recipients.union_clinicians)
    for line in report.recipients.lines:
        sheet.add(
            [
                sheet.text("Recipient type"),
                *(sheet.text(v) for v in line.describe),
                *sheet.measures(line.figures, line.key in hidden),
            ]
        )
    last = sheet.end_data()
    total = _total_row(sheet, "Total (modes)", 2, report.current, threshold)
    _suppressed_rows_formula(sheet, first, last, total, (4, 5, 6), "A", "Mode")
    sheet.blank()
    sheet.note(
        "Mode is the MHSDS consultation mechanism; each activity has one, so mode rows add up to the total."
    )
    sheet.note("An activity can name several recipient types, so recipient rows do not add up to the total.")
    _legend(sheet, threshold)
    sheet.write(filter_columns=7)


def _trend(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    sheet = _Sheet(workbook, "Trend", max_width=16)
    sheet.header(
        ("Month", *(label for _, label in report.trend_categories), "All categories"), numeric_from=2
    )
    for month in report.trend:
        hidden = suppressed_keys(month.categories.lines, threshold, month.categories.union_clinicians)
        by_key = {line.key: line for line in month.categories.lines}
        cells = [sheet.date(month.month, MONTH)]
        for key, _label in report.trend_categories:
            line = by_key.get(key)
            if line is None:
                cells.append(sheet.number(0.0, HOURS))
            elif key in hidden:
                cells.append(sheet.suppressed())
            else:
                cells.append(sheet.number(line.figures.minutes / 60, HOURS))
        cells.append(
            sheet.suppressed()
            if is_small(month.total, threshold)
            else sheet.number(month.total.minutes / 60, HOURS, bold=True)
        )
        sheet.add(cells)
    last = sheet.end_data()
    columns = len(report.trend_categories) + 2
    if report.trend:
        chart = LineChart()
        chart.title = "Hours by category, 12 months"
        chart.y_axis.title = "Hours"
        chart.x_axis.title = "Month"
        chart.x_axis.number_format = MONTH
        chart.height, chart.width = 11, 30
        chart.legend.position = "b"
        data = Reference(sheet.ws, min_col=2, max_col=columns - 1, min_row=1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        for series in chart.series:
            series.smooth = False
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=2, max_row=last))
        sheet.ws.add_chart(chart, f"A{last + 4}")
        sheet.extra_print_rows = 24
    sheet.blank()
    sheet.note(f"Hours by category per month. {SUPPRESSED}: suppressed (see the Summary sheet).")
    sheet.write(filter_columns=columns)


def _completeness(workbook: Workbook, report: MonthlyReport, threshold: int) -> None:
    sheet = _Sheet(workbook, "Completeness")
    sheet.header(
        (
            "Team local ID",
            "Team",
            "Team type code",
            "Month locked",
            "Clinicians expected",
            "Clinicians contributing",
            "Team contributed",
        ),
        numeric_from=5,
    )
    lines = [Line(team.local_id, (), _Count(team.expected)) for team in report.completeness]
    hidden = suppressed_keys(
        lines, threshold, report.expected_union, size=lambda line: line.figures.clinicians or threshold
    )
    for team in report.completeness:
        counts = (
            [sheet.suppressed(), sheet.suppressed()]
            if team.local_id in hidden
            else [sheet.number(team.expected), sheet.number(team.contributing)]
        )
        sheet.add(
            [
                sheet.text(team.local_id),
                sheet.text(team.name),
                sheet.text(team.team_type_code),
                sheet.text("Yes" if team.is_locked else "No"),
                *counts,
                sheet.text("Yes" if team.has_activity else "No"),
            ]
        )
    sheet.end_data()
    teams = report.completeness
    sheet.add([sheet.text("Teams expected", bold=True), sheet.number(len(teams), bold=True)])
    sheet.add(
        [
            sheet.text("Teams contributing", bold=True),
            sheet.number(sum(1 for t in teams if t.has_activity), bold=True),
        ]
    )
    sheet.add(
        [
            sheet.text("Teams with the month locked", bold=True),
            sheet.number(sum(1 for t in teams if t.is_locked), bold=True),
        ]
    )
    small_total = 0 < report.expected_total < threshold
    for label, value in (
        ("Clinicians expected", report.expected_total),
        ("Clinicians contributing", report.contributing_total),
    ):
        sheet.add(
            [
                sheet.text(label, bold=True),
                sheet.suppressed(bold=True) if small_total else sheet.number(value, bold=True),
            ]
        )
    sheet.blank()
    sheet.note(
        "Expected: active clinicians holding a clinician role on an active team of the provider. "
        "Contributing: those with at least one record in the month (counts only)."
    )
    sheet.note("Clinician totals count each person once, so they can be less than the sum of the team rows.")
    _legend(sheet, threshold)
    sheet.write(filter_columns=7)


@dataclass(frozen=True)
class _Count:
    clinicians: int
    activities: int = 0


DATA_DICTIONARY: tuple[tuple[str, str, str, str], ...] = (
    ("Summary", "Provider", "Name of the provider organisation.", "Local (organisation name)"),
    (
        "Summary",
        "ODS code",
        "ODS code of the provider.",
        "ORGANISATION IDENTIFIER (CODE OF PROVIDER), MHS000 OrgIDProvider",
    ),
    (
        "Summary",
        "Period start / end",
        "First and last day of the reporting month.",
        "REPORTING PERIOD START DATE / END DATE, MHS000 ReportingPeriodStartDate / ReportingPeriodEndDate",
    ),
    (
        "Summary",
        "Generated at (UTC)",
        "When the workbook was produced.",
        "DATE AND TIME DATA SET CREATED, MHS000 DateTimeDatSetCreate (equivalent)",
    ),
    (
        "Summary",
        "Team type",
        "All team types, or the one MHSDS service or team type the workbook covers.",
        "SERVICE OR TEAM TYPE FOR MENTAL HEALTH, MHS902 ServTeamTypeMH",
    ),
    (
        "Summary",
        "Suppression threshold (clinicians)",
        "Figures from fewer distinct clinicians are shown as *.",
        "Local (disclosure control)",
    ),
    (
        "Summary",
        "This month / Previous month",
        "The measure in the period and in the month before it.",
        "Local",
    ),
    (
        "Summary",
        "Change / Change %",
        "This month minus the previous month, and that as a share of the previous month.",
        "Local",
    ),
    (
        "Summary",
        "Teams contributing",
        "Teams with at least one record in the month.",
        "Count of CARE PROFESSIONAL TEAM LOCAL IDENTIFIER",
    ),
    (
        "All",
        "Activities",
        "Number of live activity records.",
        "Count of indirect activities; patient-specific ones are MHS204 Indirect Activity rows",
    ),
    (
        "All",
        "Hours",
        "Sum of recorded durations in minutes, divided by 60.",
        "DURATION OF INDIRECT ACTIVITY, MHS204 DurationIndirectAct (minutes), summed",
    ),
    ("All", "People reached", "Sum of the number of people each activity reached.", "Local (no MHSDS item)"),
    (
        "All",
        "Clinicians contributing",
        "Distinct clinicians with at least one record in the row.",
        "Count of distinct CARE PROFESSIONAL LOCAL IDENTIFIER, MHS204 CareProfLocalID",
    ),
    (
        "All",
        "Total / In suppressed rows",
        "The true total of the period; then a formula: the total minus "
        "the rows shown, i.e. the suppressed rows combined.",
        "Local",
    ),
    ("By activity", "Level", "Category row (subtotal) or activity type row.", "Local"),
    ("By activity", "Category", "Category of indirect work in the trust's taxonomy.", "Local"),
    (
        "By activity",
        "Activity type code / Activity type",
        "The trust's activity type.",
        "Local; mapped to a SNOMED CT concept for CODED PROCEDURE (SNOMED CT), MHS204 IndActProcedure",
    ),
    (
        "By activity",
        "Patient-specific",
        "Whether the type concerns one identifiable patient.",
        "MHSDS Indirect Activity definition (support for the care of one patient, patient absent)",
    ),
    (
        "By activity",
        "MHSDS target",
        "MHS204 if the type is submitted as indirect activity, else local only.",
        "MHS204 Indirect Activity",
    ),
    (
        "By team type",
        "Team type code / Team type",
        "The team's service or team type.",
        "SERVICE OR TEAM TYPE FOR MENTAL HEALTH, MHS902 ServTeamTypeMH (an3)",
    ),
    (
        "By team type",
        "Teams contributing",
        "Teams of that type with at least one record.",
        "Count of CARE PROFESSIONAL TEAM LOCAL IDENTIFIER",
    ),
    (
        "By profession",
        "Profession / Profession group",
        "Psychological profession of the clinician.",
        "Local (national list of psychological professions)",
    ),
    (
        "By profession",
        "MHSDS staff group code",
        "Staff group of the profession.",
        "CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH), MHS901 CareProfStaffGpMH (an2)",
    ),
    (
        "By recipient and mode",
        "Breakdown",
        "Mode rows (they add up to the total) or recipient type rows "
        "(an activity can have several, so they do not).",
        "Local",
    ),
    (
        "By recipient and mode",
        "Mode: code / description",
        "How the activity was carried out.",
        "CONSULTATION MECHANISM (MENTAL HEALTH), ConsMechanismMH (an2); not an MHS204 item",
    ),
    (
        "By recipient and mode",
        "Recipient type: code / description",
        "Who received the work.",
        "Local; the v6 item IndActPersCons (person consulted) has no published code list yet",
    ),
    ("Trend", "Month", "Reporting month.", "ReportingPeriodStartDate"),
    (
        "Trend",
        "Category columns / All categories",
        "Hours of each category in the month.",
        "DurationIndirectAct summed, divided by 60",
    ),
    (
        "Completeness",
        "Team local ID / Team / Team type code",
        "The provider's active teams.",
        "CARE PROFESSIONAL TEAM LOCAL IDENTIFIER (an20); ServTeamTypeMH",
    ),
    ("Completeness", "Month locked", "Whether the team lead has checked and locked the month.", "Local"),
    (
        "Completeness",
        "Clinicians expected / contributing",
        "Counts of clinicians on the team, and of those with at least one record in the month.",
        "Local",
    ),
    ("Completeness", "Team contributed", "Whether the team has at least one record in the month.", "Local"),
)


def _dictionary(workbook: Workbook) -> None:
    sheet = _Sheet(workbook, "Data dictionary")
    sheet.header(("Sheet", "Column", "Meaning", "MHSDS item"))
    for row in DATA_DICTIONARY:
        sheet.add(sheet.text(value) for value in row)
    sheet.end_data()
    sheet.write(filter_columns=4)


def workbook_filename(ods_code: str, month: date, team_type_code: str | None = None) -> str:
    """``indirect-activity_<ODS>_<YYYY-MM>.xlsx`` (with ``_<team type>`` when one team type is chosen)."""
    suffix = f"_{team_type_code}" if team_type_code else ""
    return f"indirect-activity_{ods_code}_{month:%Y-%m}{suffix}.xlsx"
