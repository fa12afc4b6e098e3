"""The figures of one provider's month, already aggregated: what the workbook writer takes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from indirect_work.impact.rollups import Impact
from indirect_work.reports.disclosure import Breakdown, Measured, UnionCounter


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
    #: Recipient feedback and recorded outcomes of the month (the Impact sheet); never free text.
    impact: Impact | None = None
