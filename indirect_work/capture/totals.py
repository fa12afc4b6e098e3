"""Count, minutes and people reached of a set of records (the "My activities" figures)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    count: int
    minutes: int
    people_reached: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)
