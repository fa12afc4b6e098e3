"""The two heavy roll-ups of the commissioner workbook, shaped for PostgreSQL's planner.

Both group the month's records per clinician first and count clinicians over those groups, which
is far cheaper than COUNT(DISTINCT) over every record; see each function for its trick.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import distinct, func, literal, select, union_all

from indirect_work.capture.counting import PARTS, session_weight
from indirect_work.capture.models import Activity, activity_recipients
from indirect_work.extensions import db
from indirect_work.reports.dimensions import month_key
from indirect_work.reports.queries import (
    ActivityFilter,
    RollupRow,
    filtered_activities,
    over_parts,
    part_where,
)
from indirect_work.taxonomy.models import ActivityType, RecipientType


def month_category_rollup(f: ActivityFilter) -> list[RollupRow]:
    """Measures by month and category, plus each month's total (category key None), in one pass.

    The records are first grouped by month, category and clinician (a hash aggregate, no sort of
    the records); distinct clinicians are then counted over those groups, which is much cheaper
    than COUNT(DISTINCT) over every record of twelve months.
    """
    postgres = db.engine.dialect.name == "postgresql"
    # date_trunc groups on a timestamp, far cheaper to hash than to_char's text.
    month = func.date_trunc("month", Activity.activity_on) if postgres else month_key(Activity.activity_on)
    weight = session_weight(f)
    per_clinician = (
        over_parts(
            select(
                month.label("month"),
                ActivityType.category_id.label("category_id"),
                PARTS.c.clinician_id.label("clinician_id"),
                func.sum(weight).label("activities"),
                func.sum(PARTS.c.minutes).label("minutes"),
                func.sum(weight * Activity.people_reached).label("people"),
            )
            .select_from(Activity)
            .join(ActivityType, Activity.activity_type_id == ActivityType.id)
        )
        .where(*part_where(f))
        .group_by(month, ActivityType.category_id, PARTS.c.clinician_id)
        .cte("per_clinician")
    )
    c = per_clinician.c
    sums = (func.sum(c.activities), func.sum(c.minutes), func.sum(c.people))
    by_category = select(c.month, c.category_id, *sums, func.count()).group_by(c.month, c.category_id)
    by_month = select(
        c.month, literal(None).label("category_id"), *sums, func.count(distinct(c.clinician_id))
    ).group_by(c.month)
    stmt = union_all(by_category, by_month).subquery()
    rows = db.session.execute(select(stmt).order_by(stmt.c.month, stmt.c.category_id))
    return [
        RollupRow(
            int(activities),
            int(minutes),
            int(people),
            int(clinicians),
            keys=(key if isinstance(key, str) else f"{key:%Y-%m}", category),
        )
        for key, category, activities, minutes, people, clinicians in rows
    ]


def recipient_rollup(f: ActivityFilter) -> list[RollupRow]:
    """Measures by recipient type, keyed by recipient type id, in the recipient types' order.

    The link table is read only over the id range of the period's records: records arrive in date
    order, so a month's links are one short stretch of the link table's primary key, where a plain
    join would scan every link ever recorded.
    """
    live = filtered_activities(f).order_by(None)
    # "+ 0" keeps PostgreSQL from walking the primary key for MIN/MAX, filtering row by row.
    shifted = Activity.id + 0
    bounds = db.session.execute(live.with_only_columns(func.min(shifted), func.max(shifted))).one()
    # MIN and MAX are NULL when no record matches; SQLAlchemy types them as the column's int.
    low, high = cast("tuple[int | None, int | None]", bounds)
    if low is None:
        return []
    link = activity_recipients.c
    weight = session_weight(f)
    per_clinician = (
        over_parts(
            select(
                link.recipient_type_id.label("recipient_type_id"),
                PARTS.c.clinician_id.label("clinician_id"),
                func.sum(weight).label("activities"),
                func.sum(PARTS.c.minutes).label("minutes"),
                func.sum(weight * Activity.people_reached).label("people"),
            ).select_from(Activity)
        )
        .join(activity_recipients, link.activity_id == Activity.id)
        .where(*part_where(f), link.activity_id.between(low, high))
        .group_by(link.recipient_type_id, PARTS.c.clinician_id)
        .subquery()
    )
    c = per_clinician.c
    stmt = (
        select(
            RecipientType.id,
            RecipientType.label,
            func.sum(c.activities),
            func.sum(c.minutes),
            func.sum(c.people),
            func.count(),
        )
        .join(per_clinician, c.recipient_type_id == RecipientType.id)
        .group_by(RecipientType.id, RecipientType.label, RecipientType.sort_order)
        .order_by(RecipientType.sort_order, RecipientType.id)
    )
    return [
        RollupRow(int(activities), int(minutes), int(people), int(clinicians), keys=(key,), labels=(label,))
        for key, label, activities, minutes, people, clinicians in db.session.execute(stmt)
    ]
