"""Attacks on published figures: can any hidden cell be worked out from what a commissioner can obtain?

Pure functions over cells (truth and what is published) and the sums that tie them together
(a table's rows add up to its total; team type workbooks add up to the whole provider's; a trend
month equals that month's own total). Each published figure is known only to within its rounding,
each hidden one only to be at least zero; interval propagation over the sums then narrows every
figure as far as the published ones allow. A hidden figure narrowed to one possible value has been
recovered: that, or a published figure built from too few clinicians, is a finding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from indirect_work.reports.disclosure import DisclosurePolicy, Measured, Published

#: The measures that add up (distinct clinicians do not, so no sum can be taken of them).
ADDITIVE = ("activities", "minutes", "people_reached")
ROUNDS = 50


@dataclass(frozen=True)
class Cell:
    """One figure cell as a commissioner sees it, with the truth behind it."""

    name: str
    truth: Measured
    shown: Published | None


@dataclass(frozen=True)
class Sum:
    """``total`` equals the sum of ``parts`` (in every additive measure)."""

    total: str
    parts: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Finding:
    cell: str
    measure: str
    value: float
    how: str

    def __str__(self) -> str:
        return f"{self.cell}: {self.measure} = {self.value:g} ({self.how})"


def _truth(cell: Cell, measure: str) -> int:
    return int(getattr(cell.truth, measure))


def _published_bounds(shown: Published, measure: str, policy: DisclosurePolicy) -> tuple[float, float]:
    """Every true value consistent with the published one (half-up rounding to the base)."""
    half = policy.rounding / 2
    if measure == "minutes":
        if policy.exact:
            exact = round(shown.hours * 60)
            return float(exact), float(exact)
        return math.ceil((shown.hours - half) * 60), math.ceil((shown.hours + half) * 60) - 1
    value = getattr(shown, measure)
    if policy.exact:
        return float(value), float(value)
    return math.ceil(value - half), math.ceil(value + half) - 1


def _propagate(
    cells: Mapping[str, Cell], sums: Sequence[Sum], measure: str, policy: DisclosurePolicy
) -> dict[str, list[float]]:
    bounds = {
        name: list(_published_bounds(cell.shown, measure, policy)) if cell.shown else [0.0, math.inf]
        for name, cell in cells.items()
    }
    for _ in range(ROUNDS):
        changed = False
        for relation in sums:
            changed |= _tighten(bounds, relation)
        if not changed:
            break
    return bounds


def _tighten(bounds: dict[str, list[float]], relation: Sum) -> bool:
    total, parts = bounds[relation.total], [bounds[p] for p in relation.parts]
    changed = _narrow(total, sum(p[0] for p in parts), sum(p[1] for p in parts))
    low_sum, high_sum = sum(p[0] for p in parts), sum(p[1] for p in parts)
    for part in parts:
        others_low, others_high = low_sum - part[0], high_sum - part[1]
        changed |= _narrow(part, total[0] - others_high, total[1] - others_low)
    return changed


def _narrow(interval: list[float], low: float, high: float) -> bool:
    changed = False
    if low > interval[0] and not math.isnan(low):
        interval[0], changed = low, True
    if high < interval[1] and not math.isnan(high):
        interval[1], changed = high, True
    return changed


def find_disclosures(cells: Iterable[Cell], sums: Sequence[Sum], policy: DisclosurePolicy) -> list[Finding]:
    """Every published small figure, and every hidden figure the published ones pin down."""
    by_name = {cell.name: cell for cell in cells}
    findings = [
        Finding(cell.name, "clinicians", cell.truth.clinicians, "published although built from too few")
        for cell in by_name.values()
        if cell.shown is not None and policy.is_small(cell.truth)
    ]
    for measure in ADDITIVE:
        bounds = _propagate(by_name, sums, measure, policy)
        for name, cell in by_name.items():
            low, high = bounds[name]
            if (
                cell.shown is None
                and cell.truth.clinicians > 0
                and math.isfinite(high)
                and math.ceil(low) >= math.floor(high)
            ):
                how = _how(name, sums)
                findings.append(Finding(name, measure, _truth(cell, measure), f"worked out from {how}"))
    return findings


def _how(name: str, sums: Sequence[Sum]) -> str:
    reasons = sorted({s.why for s in sums if name == s.total or name in s.parts})
    return "; ".join(reasons) or "the published figures"
