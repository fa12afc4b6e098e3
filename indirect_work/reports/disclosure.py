"""Disclosure control: which figures are too small to publish, for the workbook and the API alike.

A figure built from fewer than ``threshold`` distinct clinicians is hidden (primary suppression).
Where a table's rows add up to a total that is shown, more rows are hidden (secondary suppression,
smallest first) until the hidden rows together come from at least ``threshold`` distinct clinicians
and at least two rows are hidden, so "total minus the rows shown" only ever reveals a combined
figure that could itself have been published.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


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
