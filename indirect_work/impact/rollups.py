"""Impact roll-ups over many activities: responses, response rate, item means and outcomes.

One function gathers the response rows of a scope (teams or a provider) and a period, and every
figure is computed from those rows here, so the dashboard, the API and the commissioner workbook
agree. ``clinicians`` and ``responses`` travel with each figure so the workbook's disclosure rule
can decide whether a cell may be shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select

from indirect_work.capture.models import Activity, activity_outcomes
from indirect_work.core.dates import month_start
from indirect_work.extensions import db
from indirect_work.impact.models import FeedbackAnswer, FeedbackLink, FeedbackResponse
from indirect_work.impact.queries import ItemSummary, summarise
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, OutcomeOption


@dataclass(frozen=True)
class Scope:
    """Whose activities: some teams (``None``: every team) or one provider, over whole days."""

    start: date
    end: date
    team_ids: frozenset[int] | None = None
    organisation_id: int | None = None
    #: One MHSDS service or team type (a team type's commissioner workbook).
    team_type_code: str | None = None


@dataclass(frozen=True)
class ImpactRow:
    """One month and category: activities asked for feedback, people they reached, the responses."""

    month: date
    category_id: int
    category: str
    activities_with_links: int
    people_reached: int
    responses: int
    clinicians: int

    @property
    def response_rate(self) -> float | None:
        """Responses per person reached by the activities that had a feedback link."""
        return round(self.responses / self.people_reached, 3) if self.people_reached else None


@dataclass(frozen=True)
class CategoryItems:
    category_id: int
    category: str
    responses: int
    clinicians: int
    items: tuple[ItemSummary, ...]


@dataclass(frozen=True)
class OutcomeRow:
    month: date
    code: str
    label: str
    activities: int
    clinicians: int


@dataclass(frozen=True)
class Impact:
    rows: tuple[ImpactRow, ...]
    categories: tuple[CategoryItems, ...]
    outcomes: tuple[OutcomeRow, ...]

    @property
    def responses(self) -> int:
        return sum(r.responses for r in self.rows)


def _where(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Activity.deleted_at.is_(None),
        Activity.activity_on.between(scope.start, scope.end),
    ]
    if scope.team_ids is not None:
        conditions.append(Activity.team_id.in_(sorted(scope.team_ids)))
    if scope.organisation_id is not None:
        conditions.append(Activity.organisation_id == scope.organisation_id)
    if scope.team_type_code is not None:
        of_type = select(Team.id).where(Team.service_team_type_code == scope.team_type_code)
        conditions.append(Activity.team_id.in_(of_type))
    return conditions


def _link_rows(scope: Scope) -> dict[tuple[date, int], tuple[str, int, int]]:
    """(month, category) -> (label, activities with a first-stage link, people they reached)."""
    linked = select(FeedbackLink.activity_id).where(FeedbackLink.stage == "first").distinct().subquery()
    rows = db.session.execute(
        select(Activity.activity_on, ActivityCategory.id, ActivityCategory.label, Activity.people_reached)
        .join(linked, linked.c.activity_id == Activity.id)
        .join(ActivityType, ActivityType.id == Activity.activity_type_id)
        .join(ActivityCategory, ActivityCategory.id == ActivityType.category_id)
        .where(*_where(scope))
    ).all()
    found: dict[tuple[date, int], tuple[str, int, int]] = {}
    for day, category_id, label, people in rows:
        key = (month_start(day), category_id)
        _, count, reached = found.get(key, (label, 0, 0))
        found[key] = (label, count + 1, reached + people)
    return found


def impact_for(scope: Scope) -> Impact:
    """Every impact figure of the scope, from the response rows (first-stage links)."""
    answers = db.session.execute(
        select(
            FeedbackAnswer, FeedbackResponse.id, Activity.activity_on, Activity.clinician_id, ActivityCategory
        )
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackAnswer.response_id)
        .join(Activity, Activity.id == FeedbackResponse.activity_id)
        .join(ActivityType, ActivityType.id == Activity.activity_type_id)
        .join(ActivityCategory, ActivityCategory.id == ActivityType.category_id)
        .where(FeedbackResponse.stage == "first", *_where(scope))
    ).all()
    per_month: dict[tuple[date, int], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    per_category: dict[int, tuple[ActivityCategory, list[FeedbackAnswer], set[int], set[int]]] = {}
    for answer, response_id, day, clinician_id, category in answers:
        responses, clinicians = per_month[(month_start(day), category.id)]
        responses.add(response_id)
        clinicians.add(clinician_id)
        entry = per_category.setdefault(category.id, (category, [], set(), set()))
        entry[1].append(answer)
        entry[2].add(response_id)
        entry[3].add(clinician_id)
    links = _link_rows(scope)
    rows = tuple(
        ImpactRow(
            month=key[0],
            category_id=key[1],
            category=label,
            activities_with_links=count,
            people_reached=reached,
            responses=len(per_month[key][0]) if key in per_month else 0,
            clinicians=len(per_month[key][1]) if key in per_month else 0,
        )
        for key, (label, count, reached) in sorted(links.items(), key=lambda kv: (kv[0][0], kv[1][0]))
    )
    categories = tuple(
        CategoryItems(category.id, category.label, len(ids), len(people), summarise(items))
        for category, items, ids, people in sorted(per_category.values(), key=lambda e: e[0].sort_order)
    )
    return Impact(rows, categories, _outcomes(scope))


def _outcomes(scope: Scope) -> tuple[OutcomeRow, ...]:
    rows = db.session.execute(
        select(
            Activity.activity_on,
            OutcomeOption.code,
            OutcomeOption.label,
            OutcomeOption.sort_order,
            Activity.id,
            Activity.clinician_id,
        )
        .join(activity_outcomes, activity_outcomes.c.activity_id == Activity.id)
        .join(OutcomeOption, OutcomeOption.id == activity_outcomes.c.outcome_option_id)
        .where(*_where(scope))
    ).all()
    grouped: dict[tuple[date, int, str, str], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for day, code, label, order, activity_id, clinician_id in rows:
        activities, clinicians = grouped[(month_start(day), order, code, label)]
        activities.add(activity_id)
        clinicians.add(clinician_id)
    return tuple(
        OutcomeRow(month, code, label, len(ids), len(people))
        for (month, _, code, label), (ids, people) in sorted(grouped.items())
    )


def responses_in(scope: Scope) -> int:
    """How many first-stage responses the scope has (a cheap check before drawing a section)."""
    return int(
        db.session.scalar(
            select(func.count(FeedbackResponse.id))
            .join(Activity, Activity.id == FeedbackResponse.activity_id)
            .where(FeedbackResponse.stage == "first", *_where(scope))
        )
        or 0
    )
