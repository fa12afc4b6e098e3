"""What a commissioner can obtain for one provider-month, cell by cell.

The API's commissioner roll-ups and the disclosure audit read the same tables the workbook
publishes, through the same :class:`~indirect_work.reports.disclosure.Disclosure`, so every route
to a commissioner figure gives the same published value (or the same ``*``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from indirect_work.org.models import Organisation
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.dimensions import Dimension
from indirect_work.reports.disclosure import (
    Disclosure,
    DisclosurePolicy,
    Line,
    Published,
    disclose,
    types_table,
)
from indirect_work.reports.workbook import MonthlyReport

#: Each dimension a commissioner may group by: the report's table and where its label is.
TABLES: dict[Dimension, tuple[str, int]] = {
    Dimension.CATEGORY: ("categories", 0),
    Dimension.ACTIVITY_TYPE: ("types", 1),
    Dimension.TEAM_TYPE: ("team_types", 1),
    Dimension.PROFESSION: ("professions", 0),
    Dimension.MECHANISM: ("mechanisms", 1),
    Dimension.RECIPIENT_TYPE: ("recipients", 1),
}


@dataclass(frozen=True)
class PublishedRow:
    """One row as published (``figures`` is ``None`` when hidden), with the truth behind it."""

    table: str
    key: Any
    label: str
    figures: Published | None
    line: Line


@dataclass(frozen=True)
class PublishedMonth:
    """One provider-month (or one team type of it) as a commissioner receives it."""

    report: MonthlyReport
    disclosure: Disclosure

    @property
    def total(self) -> Published | None:
        return self.disclosure.total(self.report.current)

    def rows(self, dimension: Dimension) -> list[PublishedRow]:
        """The published rows of one grouping, in the workbook's order."""
        table, label_at = TABLES[dimension]
        return [
            PublishedRow(name, line.key, str(line.describe[label_at]), self.disclosure.row(name, line), line)
            for name, line in self._lines(table)
        ]

    def _lines(self, table: str) -> Iterator[tuple[str, Line]]:
        if table != "types":
            for line in getattr(self.report, table).lines:
                yield table, line
            return
        for category in self.report.categories.lines:
            types = self.report.types.get(category.key)
            for line in types.lines if types else ():
                yield types_table(category.key), line


def published_month(
    organisation: Organisation,
    month: date,
    policy: DisclosurePolicy,
    team_type_code: str | None = None,
    *,
    whole: MonthlyReport | None = None,
    generated_at: datetime | None = None,
) -> PublishedMonth:
    """Gather the month (a team type's cut from the whole provider's pattern) and its disclosure."""
    report = collect_monthly_report(
        organisation, month, team_type_code=team_type_code, generated_at=generated_at
    )
    if team_type_code and whole is None:
        whole = collect_monthly_report(organisation, month)
    return PublishedMonth(report, disclose(report, policy, whole if team_type_code else None))
