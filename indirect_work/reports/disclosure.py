"""Disclosure control: the one place that decides what a commissioner sees, for every output.

The workbook (whole provider or one team type), the API's commissioner roll-ups and the
disclosure audit all ask this module; nothing else decides what is shown. The policy
(``docs/disclosure.md``):

* primary suppression: a figure built from fewer than ``threshold`` distinct clinicians is hidden;
* secondary suppression: where a table's rows add up to a total that is shown, more rows are hidden,
  smallest first, until at least two are hidden and together they come from ``threshold`` or more
  distinct clinicians;
* one pattern per provider-month: every filtered variant hides at least what the whole provider's
  tables hide (:class:`SuppressionPattern`), and shows nothing for a team type the whole hides;
* rounding: every published figure, totals and counts included, is rounded on its own to the nearest
  ``rounding`` (:class:`DisclosurePolicy`), so subtracting one published figure from another never
  gives a hidden one exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

#: How a hidden figure is written.
SUPPRESSED = "*"


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


def suppressed_keys(
    lines: Sequence[Line],
    threshold: int,
    union: UnionCounter,
    size: Callable[[Line], int] = lambda line: line.figures.clinicians,
    already: frozenset[Any] = frozenset(),
) -> frozenset[Any]:
    """Keys of the rows to hide: primary (fewer than ``threshold`` clinicians), then secondary.

    ``already`` are rows hidden for another reason (the whole provider's pattern), counted as
    hidden before the secondary rule runs. Secondary rows are taken smallest first (clinicians,
    then activities, then row order) until at least two rows are hidden and the hidden rows
    together come from ``threshold`` or more distinct clinicians, or every row is hidden.
    """
    present = {line.key for line in lines}
    hidden = {line.key for line in lines if size(line) < threshold} | (already & present)
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
    """Whether a figure comes from too few clinicians to publish (an empty one is fine)."""
    return 0 < figures.clinicians < threshold


# Disclosure policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The four measures of one cell as a commissioner sees them: rounded, never exact."""

    activities: int
    hours: float
    people_reached: int
    clinicians: int


@dataclass(frozen=True)
class DisclosurePolicy:
    """Suppress below ``threshold`` distinct clinicians; round everything else to ``rounding``.

    Rounding each published figure independently to the nearest multiple of ``rounding`` (NHS
    England's convention for MHSDS statistics below national level: suppress small numbers, round
    the rest to the nearest 5) is what makes differencing useless: total minus the rows shown is
    then only known to within several units either side, so no hidden cell can be worked out,
    whatever combination of published tables is subtracted. ``rounding=1`` publishes exact figures
    and is for checking arithmetic in tests only; ``check-deploy`` refuses it in production.
    """

    threshold: int
    rounding: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DisclosurePolicy:
        return cls(int(config["IW_SUPPRESSION_THRESHOLD"]), int(config["IW_DISCLOSURE_ROUNDING"]))

    @property
    def exact(self) -> bool:
        return self.rounding <= 1

    def rounded(self, value: float) -> int:
        """The nearest multiple of the rounding base, halves rounded up."""
        if self.exact:
            return int(value)
        return int(math.floor(value / self.rounding + 0.5)) * self.rounding

    def hours(self, minutes: int) -> float:
        """Hours as published: to the nearest ``rounding`` hours (exact hours when not rounding)."""
        return minutes / 60 if self.exact else float(self.rounded(minutes / 60))

    def is_small(self, figures: Measured) -> bool:
        return is_small(figures, self.threshold)

    def count(self, value: int) -> int | None:
        """A count that is itself a figure (clinicians expected, teams): hidden when small, else rounded."""
        return None if 0 < value < self.threshold else self.rounded(value)

    def publish(self, figures: Measured, hidden: bool = False) -> Published | None:
        """The cell as published, or ``None`` (shown as ``*``) when it is hidden or small."""
        if hidden or self.is_small(figures):
            return None
        return Published(
            activities=self.rounded(figures.activities),
            hours=self.hours(figures.minutes),
            people_reached=self.rounded(figures.people_reached),
            clinicians=self.rounded(figures.clinicians),
        )

    def notes(self) -> list[str]:
        """How the policy reads on the Summary sheet's method notes."""
        notes = [
            f"Suppression (primary): any figure built from fewer than {self.threshold} distinct clinicians "
            f"is shown as {SUPPRESSED}, together with the other measures of that row, in every table and "
            "in every download (team type workbooks and the API included).",
            "Suppression (secondary): where rows add up to a published total, further rows are hidden, "
            "smallest first, until at least two rows are hidden and together they come from at least "
            f"{self.threshold} distinct clinicians. An activity type row is hidden whenever its category "
            "is hidden. A team type workbook hides every row that the whole provider's workbook hides, "
            "and shows nothing for a team type that the whole provider's workbook hides.",
        ]
        if self.exact:
            notes.append("Figures are exact (no rounding).")
        else:
            notes.append(
                f"Rounding: every published figure (activities, hours, people reached, clinicians and "
                f"team counts, totals included) is rounded to the nearest {self.rounding}, each on its "
                "own, so totals need not equal the sum of their rows and no hidden figure can be worked "
                "out by subtracting one table or download from another. Percentages are computed from "
                "the rounded figures."
            )
        notes.append(
            "Only whole months are published: figures for part of a month are not available to "
            "commissioners, in the workbook or through the API."
        )
        return notes


@dataclass(frozen=True)
class SuppressionPattern:
    """The hidden row keys of every table of one provider-month, decided once for the whole provider.

    Every filtered variant (one team type's workbook, an API roll-up for one team type) is cut
    from the whole provider's pattern: it hides at least what the whole hides, so a row hidden in
    one download is never shown in another.
    """

    tables: Mapping[str, frozenset[Any]]
    #: Every figure hidden (a team type that the whole provider's pattern hides).
    everything: bool = False

    def hidden(self, table: str) -> frozenset[Any]:
        return self.tables.get(table, frozenset())

    def hides(self, table: str, key: Any) -> bool:
        return self.everything or key in self.hidden(table)


class Trended(Protocol):
    """One month of the trend (``workbook.TrendMonth``); read-only, so frozen dataclasses match."""

    @property
    def month(self) -> date: ...

    @property
    def total(self) -> Measured: ...

    @property
    def categories(self) -> Breakdown: ...


class ReportTables(Protocol):
    """The tables of one provider-month that the pattern covers (``workbook.MonthlyReport``)."""

    @property
    def team_type(self) -> tuple[str, str] | None: ...

    @property
    def current(self) -> Measured: ...

    @property
    def categories(self) -> Breakdown: ...

    @property
    def types(self) -> Mapping[Any, Breakdown]: ...

    @property
    def team_types(self) -> Breakdown: ...

    @property
    def professions(self) -> Breakdown: ...

    @property
    def mechanisms(self) -> Breakdown: ...

    @property
    def recipients(self) -> Breakdown: ...

    @property
    def trend(self) -> Sequence[Trended]: ...


#: The tables of a report, by the name the pattern knows them by.
TABLES = ("categories", "team_types", "professions", "mechanisms", "recipients")


def types_table(category: Any) -> str:
    return f"types:{category}"


def trend_table(month: date) -> str:
    return f"trend:{month:%Y-%m}"


def pattern_for(
    report: ReportTables, policy: DisclosurePolicy, whole: SuppressionPattern | None = None
) -> SuppressionPattern:
    """The hidden rows of every table of ``report``; for a team type's report, cut from ``whole``."""

    def hide(name: str, breakdown: Breakdown) -> frozenset[Any]:
        inherited = whole.hidden(name) if whole else frozenset()
        return suppressed_keys(
            breakdown.lines, policy.threshold, breakdown.union_clinicians, already=inherited
        )

    tables: dict[str, frozenset[Any]] = {name: hide(name, getattr(report, name)) for name in TABLES}
    for category, types in report.types.items():
        name = types_table(category)
        if category in tables["categories"]:
            tables[name] = frozenset(line.key for line in types.lines)
        else:
            tables[name] = hide(name, types)
    for month in report.trend:
        tables[trend_table(month.month)] = hide(trend_table(month.month), month.categories)
    everything = whole is not None and (
        whole.everything or (report.team_type is not None and whole.hides("team_types", report.team_type[0]))
    )
    return SuppressionPattern(tables, everything)


@dataclass(frozen=True)
class Disclosure:
    """The policy and one report's pattern together: what each cell of that report publishes."""

    policy: DisclosurePolicy
    pattern: SuppressionPattern

    def row(self, table: str, line: Line) -> Published | None:
        return self.policy.publish(line.figures, hidden=self.pattern.hides(table, line.key))

    def total(self, figures: Measured) -> Published | None:
        return self.policy.publish(figures, hidden=self.pattern.everything)

    def count(self, value: int, *, hidden: bool = False) -> int | None:
        """A count (teams, clinicians expected): ``None`` when hidden or small, else rounded."""
        return None if hidden or self.pattern.everything else self.policy.count(value)

    def impact_shown(self, *, clinicians: int, responses: int) -> bool:
        """Whether an impact cell may be shown: ``threshold`` or more distinct clinicians *and*
        ``threshold`` or more distinct responses (or recorded activities) stand behind it."""
        threshold = self.policy.threshold
        return not self.pattern.everything and clinicians >= threshold and responses >= threshold

    def impact_count(self, value: int, *, clinicians: int, responses: int) -> int | None:
        """A count of the Impact sheet: ``None`` (``*``) unless shown, else rounded like every figure."""
        if not self.impact_shown(clinicians=clinicians, responses=responses):
            return None
        return self.policy.rounded(value)

    def impact_mean(self, mean: float | None, *, clinicians: int, responses: int) -> float | None:
        """An item's mean answer: ``None`` unless shown, else to one decimal place."""
        if mean is None or not self.impact_shown(clinicians=clinicians, responses=responses):
            return None
        return round(mean, 1)


def disclose(report: ReportTables, policy: DisclosurePolicy, whole: ReportTables | None = None) -> Disclosure:
    """What ``report`` may publish; a team type's report is cut from the ``whole`` provider's."""
    whole_pattern = pattern_for(whole, policy) if whole is not None else None
    return Disclosure(policy, pattern_for(report, policy, whole_pattern))
