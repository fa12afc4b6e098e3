"""Read-only roll-ups of activity, computed with GROUP BY in the database.

One filter type (:class:`ActivityFilter`, from ``capture.filters``, shared with "My activities") and
one roll-up function (:func:`rollup`) serve the team dashboard, the commissioner workbook and the
API. Soft-deleted records are always excluded from figures.
Rows come back as frozen dataclasses; nothing here touches Flask's request.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, distinct, func, or_, select

from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.counting import PARTS, PARTS_ON, measures
from indirect_work.capture.filters import ActivityFilter, activity_where
from indirect_work.capture.models import Activity
from indirect_work.capture.totals import Totals
from indirect_work.core.dates import add_months, month_end, month_start, months_between
from indirect_work.extensions import db
from indirect_work.reports.dimensions import DIMENSIONS, Dimension, Join, month_key
from indirect_work.taxonomy.models import ActivityType


@dataclass(frozen=True)
class RollupRow(Totals):
    """One group: ``keys`` are the dimension values (ids or codes), ``labels`` their display text."""

    keys: tuple[Any, ...] = field(default=())
    labels: tuple[str, ...] = field(default=())


def filtered_activities(f: ActivityFilter) -> Select[Activity]:
    """The live activity records behind a figure (for drill-down lists and CSV downloads).

    With ``include_deleted`` the soft-deleted records come too (warehouse loads need to see deletions).
    """
    return (
        select(Activity)
        .where(and_(*activity_where(f, with_deleted=f.include_deleted)))
        .order_by(Activity.activity_on.desc(), Activity.id.desc())
    )


def over_parts(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` (from ``activities``) joined to the deliverers' parts the counting rules count over."""
    return stmt.join(PARTS, PARTS_ON)


def part_where(f: ActivityFilter) -> list[Any]:
    """The WHERE clauses of ``f`` over the deliverers' parts."""
    return activity_where(f, deliverer=PARTS.c.clinician_id)


def totals(f: ActivityFilter) -> Totals:
    """Headline figures over every activity matching the filter (counting rules: ``capture.counting``)."""
    stmt = over_parts(select(*measures(f)).select_from(Activity).join(ActivityType)).where(*part_where(f))
    row = db.session.execute(stmt).one()
    return Totals(
        int(row.activities),
        int(row.minutes),
        int(row.people_reached),
        int(row.clinicians),
        int(row.patient_specific_minutes),
    )


def _join(stmt: Select[Any], joins: Sequence[Join], joined: set[str]) -> Select[Any]:
    """``stmt`` with each of ``joins`` not made yet (two dimensions can need the same table)."""
    for join in joins:
        if join.name not in joined:
            stmt = (
                stmt.outerjoin(join.target, join.onclause)
                if join.outer
                else stmt.join(join.target, join.onclause)
            )
            joined.add(join.name)
    return stmt


def rollup(f: ActivityFilter, by: Sequence[Dimension]) -> list[RollupRow]:
    """Measures grouped by the given dimensions, ordered by the dimensions' natural order.

    Grouping by recipient type counts an activity once under each of its recipient types, so
    those groups can add up to more than the total.
    """
    stmt = over_parts(
        select().select_from(Activity).join(ActivityType, Activity.activity_type_id == ActivityType.id)
    )
    key_columns: list[Any] = []
    label_columns: list[Any] = []
    order: list[Any] = []
    joined: set[str] = set()
    for dimension in by:
        spec = DIMENSIONS[dimension]
        stmt = _join(stmt, spec.joins, joined)
        grouping = spec.grouping()
        key_columns.append(grouping.key)
        label_columns.append(grouping.label)
        order += grouping.order
        stmt = stmt.group_by(*grouping.group_extra)
    n = len(key_columns)
    stmt = stmt.add_columns(*key_columns, *label_columns, *measures(f)).where(*part_where(f))
    stmt = stmt.group_by(*key_columns, *label_columns).order_by(*order)
    rows = []
    for row in db.session.execute(stmt):
        values = tuple(row)
        keys, labels = values[:n], values[n : 2 * n]
        activities, minutes, reached, clinicians, patient_minutes = values[2 * n :]
        rows.append(
            RollupRow(
                int(activities),
                int(minutes),
                int(reached),
                int(clinicians),
                int(patient_minutes),
                keys=tuple(keys),
                labels=tuple(str(label) for label in labels),
            )
        )
    return rows


def distinct_clinicians(f: ActivityFilter, dimension: Dimension, keys: Collection[Any]) -> int:
    """Distinct clinicians behind the activities of ``f`` whose ``dimension`` value is one of ``keys``.

    Only for the dimensions the workbook suppresses over (those with a ``count_key``).
    """
    spec = DIMENSIONS[dimension]
    if spec.count_key is None:  # pragma: no cover - only the dimensions the workbook suppresses over
        raise ValueError(dimension)
    stmt = over_parts(
        select(func.count(distinct(PARTS.c.clinician_id))).select_from(Activity).where(*part_where(f))
    )
    stmt = _join(stmt, spec.count_joins, set())
    column = spec.count_key
    wanted = [k for k in keys if k is not None]
    condition = column.in_(sorted(wanted, key=str))
    if None in keys:
        condition = or_(condition, column.is_(None))
    return int(db.session.scalar(stmt.where(condition)) or 0)


# Periods, zero-filled month series and team completeness ------------------------------------------


def previous_period(f: ActivityFilter) -> ActivityFilter:
    """The same filter over the period of equal length (in whole months) just before ``f``'s.

    Both ends are taken as whole months, so 2026-01..2026-12 compares with 2025-01..2025-12.
    """
    months = len(months_between(f.start, f.end))
    start = add_months(month_start(f.start), -months)
    return replace(f, start=start, end=add_months(start, months) - timedelta(days=1))


def monthly_rollup(f: ActivityFilter, by: Sequence[Dimension] = ()) -> list[RollupRow]:
    """:func:`rollup` by month (then ``by``), with a zero row for every month that has no records.

    Rows are ordered by month; within a month, by the other dimensions' natural order. An empty
    month appears once, with empty keys and labels for the other dimensions.
    """
    grouped: dict[str, list[RollupRow]] = {}
    for row in rollup(f, [Dimension.MONTH, *by]):
        grouped.setdefault(row.keys[0], []).append(row)
    result: list[RollupRow] = []
    for month in months_between(f.start, f.end):
        key = month.strftime("%Y-%m")
        result += grouped.get(key) or [RollupRow(keys=(key,), labels=(key,))]
    return result


@dataclass(frozen=True)
class MemberMonthCounts:
    """One team member and how many live records they logged for the team in each month asked for."""

    user_id: int
    full_name: str
    #: Record counts in the order of the months passed to :func:`team_completeness`.
    counts: tuple[int, ...]

    def logged_nothing_in(self, index: int) -> bool:
        return self.counts[index] == 0


def team_completeness(team_id: int, months: Sequence[date]) -> list[MemberMonthCounts]:
    """Every active clinician member of the team with their record count per month (zero included).

    Members are active users holding a clinician role on the team; only records logged for this
    team count, co-delivered ones included. One query: an outer join from the members to a GROUP BY
    over the team's records.
    """
    months = [month_start(m) for m in months]
    if not months:
        return []
    first, last = min(months), month_end(max(months))
    month = month_key(Activity.activity_on)
    # Every part a member delivered counts as one of their records (a co-delivered session too).
    counts = (
        over_parts(
            select(
                PARTS.c.clinician_id.label("clinician_id"),
                month.label("month"),
                func.count(Activity.id).label("records"),
            ).select_from(Activity)
        )
        .where(
            Activity.team_id == team_id,
            Activity.deleted_at.is_(None),
            Activity.activity_on >= first,
            Activity.activity_on <= last,
        )
        .group_by(PARTS.c.clinician_id, month)
        .subquery()
    )
    per_month = [
        func.coalesce(func.sum(case((counts.c.month == m.strftime("%Y-%m"), counts.c.records), else_=0)), 0)
        for m in months
    ]
    members = (
        select(User.id, User.full_name)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.team_id == team_id, RoleAssignment.role == "clinician", User.is_active.is_(True)
        )
        .distinct()
        .subquery()
    )
    stmt = (
        select(members.c.id, members.c.full_name, *per_month)
        .select_from(members)
        .outerjoin(counts, counts.c.clinician_id == members.c.id)
        .group_by(members.c.id, members.c.full_name)
        .order_by(members.c.full_name, members.c.id)
    )
    return [
        MemberMonthCounts(int(row[0]), str(row[1]), tuple(int(v) for v in row[2:]))
        for row in db.session.execute(stmt)
    ]
