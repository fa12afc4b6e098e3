"""The disclosure audit: everything a commissioner can obtain for a month, attacked with its own figures.

:func:`check_month` gathers the whole provider's published month, each team type's, and the
months its trend covers, lays every published cell beside the truth, writes down every sum that
ties cells together (a table's rows and its total, the team types and the whole provider, a trend
month and that month's own workbook) and hands them to :mod:`disclosure_attacks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from indirect_work.core.dates import add_months, month_start
from indirect_work.org.models import Organisation
from indirect_work.reports.dimensions import Dimension
from indirect_work.reports.disclosure import DisclosurePolicy, Published, types_table
from indirect_work.reports.disclosure_attacks import Cell, Finding, Sum, find_disclosures
from indirect_work.reports.published import TABLES, PublishedMonth, published_month
from indirect_work.reports.queries import RollupRow

#: Tables whose rows add up to the month's total (recipient types do not: one activity, several).
ADDITIVE = (Dimension.CATEGORY, Dimension.TEAM_TYPE, Dimension.PROFESSION, Dimension.MECHANISM)
ZERO = Published(0, 0.0, 0, 0)


@dataclass
class Grid:
    """The cells a commissioner can see and the sums that hold between them."""

    cells: dict[str, Cell] = field(default_factory=dict)
    sums: list[Sum] = field(default_factory=list)

    def add(self, name: str, truth: object, shown: Published | None) -> str:
        self.cells.setdefault(name, Cell(name, truth, shown))  # type: ignore[arg-type]
        return name

    def zero(self, name: str) -> str:
        """A row the output does not list: known to be exactly zero."""
        return self.add(name, RollupRow(), ZERO)


def _month_cells(grid: Grid, label: str, month: PublishedMonth) -> dict[tuple[str, object], str]:
    """Add one output's cells and its own sums; returns ``(table, key) -> cell name``."""
    names: dict[tuple[str, object], str] = {
        ("total", None): grid.add(f"{label}: total", month.report.current, month.total)
    }
    for dimension in TABLES:
        for row in month.rows(dimension):
            names[(row.table, row.key)] = grid.add(
                f"{label}: {dimension.value} {row.label}", row.line.figures, row.figures
            )
    total = names[("total", None)]
    for dimension in ADDITIVE:
        table = TABLES[dimension][0]
        parts = tuple(n for (t, _), n in names.items() if t == table)
        grid.sums.append(Sum(total, parts, f"{label}: {dimension.value} rows against the total"))
    for category in month.report.categories.lines:
        parts = tuple(n for (t, _), n in names.items() if t == types_table(category.key))
        if parts:
            grid.sums.append(
                Sum(
                    names[("categories", category.key)],
                    parts,
                    f"{label}: activity types against their category",
                )
            )
    return names


def _variant_sums(
    grid: Grid, whole: dict[tuple[str, object], str], variants: dict[str, dict[tuple[str, object], str]]
) -> None:
    """Each whole-provider cell is the sum of the same cell over the team types' outputs."""
    for (table, key), name in whole.items():
        if table == "team_types":
            code = str(key)
            if code in variants:
                grid.sums.append(
                    Sum(name, (variants[code][("total", None)],), f"team type {code}'s own workbook")
                )
            continue
        parts = tuple(
            cells.get((table, key)) or grid.zero(f"workbook {code}: no row {table} {key}")
            for code, cells in variants.items()
        )
        grid.sums.append(Sum(name, parts, "the team types' workbooks against the whole provider's"))


def _trend_sums(grid: Grid, month: PublishedMonth, own: dict[date, PublishedMonth]) -> None:
    """Each trend month is the same figure as that month's own workbook total (hours)."""
    for trended in month.report.trend:
        earlier = own.get(trended.month)
        if earlier is None:
            continue
        name = grid.add(
            f"trend {trended.month:%Y-%m} in the {month.report.month:%Y-%m} workbook: total",
            trended.total,
            month.disclosure.total(trended.total),
        )
        mine = grid.add(f"workbook {trended.month:%Y-%m}: total", earlier.report.current, earlier.total)
        grid.sums.append(Sum(mine, (name,), "a trend month against that month's own workbook"))


def check_month(organisation: Organisation, month: date, policy: DisclosurePolicy) -> list[Finding]:
    """Every disclosure found in what a commissioner can download for the provider's month."""
    month = month_start(month)
    grid = Grid()
    whole = published_month(organisation, month, policy)
    whole_cells = _month_cells(grid, "workbook all", whole)
    variants = {
        str(line.key): _month_cells(
            grid,
            f"workbook {line.key}",
            published_month(organisation, month, policy, str(line.key), whole=whole.report),
        )
        for line in whole.report.team_types.lines
    }
    _variant_sums(grid, whole_cells, variants)
    own = {
        add_months(month, -back): published_month(organisation, add_months(month, -back), policy)
        for back in range(1, len(whole.report.trend))
    }
    _trend_sums(grid, whole, own)
    return find_disclosures(grid.cells.values(), grid.sums, policy)
