"""Read the actor's own records: one record, the filtered list and its totals, and form defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from indirect_work.auth.models import User
from indirect_work.capture.counting import PARTS, PARTS_ON, measures
from indirect_work.capture.filters import ActivityFilter, activity_where
from indirect_work.capture.models import Activity
from indirect_work.capture.totals import Totals
from indirect_work.core.errors import NotFound
from indirect_work.core.permissions import can_read_activity
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityType


def get_activity_for(actor: User, activity_id: int) -> Activity:
    """A live record the actor may see: their own or co-delivered (admins: anyone's); else ``NotFound``."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_read_activity(actor, activity):
        raise NotFound("That record does not exist or is not yours")
    return activity


@dataclass
class MyActivitiesFilter:
    """Filters of the "My activities" list (all optional)."""

    date_from: date | None = None
    date_to: date | None = None
    activity_type_id: int | None = None
    category_id: int | None = None
    team_id: int | None = None


def _shared_filter(actor: User, filters: MyActivitiesFilter) -> ActivityFilter:
    return ActivityFilter(
        start=filters.date_from or date.min,
        end=filters.date_to or date.max,
        clinician_id=actor.id,
        team_ids=frozenset({filters.team_id}) if filters.team_id else None,
        category_id=filters.category_id or None,
        activity_type_id=filters.activity_type_id or None,
    )


def _filtered(actor: User, filters: MyActivitiesFilter, columns: Any) -> Select[Any]:
    """The records the actor delivered (co-delivered ones too) matching the filters."""
    query = select(*columns) if isinstance(columns, tuple) else select(columns)
    return query.where(*activity_where(_shared_filter(actor, filters)))


def list_activities_query(actor: User, filters: MyActivitiesFilter) -> Select[Any]:
    """The actor's live records matching the filters, newest first (for ``db.paginate``)."""
    return (
        _filtered(actor, filters, Activity)
        .options(
            selectinload(Activity.recipient_types),
            selectinload(Activity.activity_type),
            selectinload(Activity.team),
            selectinload(Activity.consultation_mechanism),
            selectinload(Activity.co_deliverers),
        )
        .order_by(Activity.activity_on.desc(), Activity.start_time.desc(), Activity.id.desc())
    )


def sum_activities(actor: User, filters: MyActivitiesFilter) -> Totals:
    """Count, the actor's own minutes and people reached of the filtered set (``capture.counting``)."""
    f = _shared_filter(actor, filters)
    row = db.session.execute(
        select(*measures(f))
        .select_from(Activity)
        .join(ActivityType, Activity.activity_type_id == ActivityType.id)
        .join(PARTS, PARTS_ON)
        .where(*activity_where(f, deliverer=PARTS.c.clinician_id))
    ).one()
    return Totals(activities=int(row[0]), minutes=int(row[1]), people_reached=int(row[2]))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def last_mechanism_code(actor: User) -> str | None:
    """The mode of the actor's most recent record: the form's default."""
    return db.session.scalar(
        select(Activity.consultation_mechanism_code)
        .where(Activity.clinician_id == actor.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(1)
    )


def default_team_id(actor: User) -> int | None:
    teams = actor.clinician_team_ids
    if actor.default_team_id in teams:
        return actor.default_team_id
    return min(teams) if teams else None


def type_usage(actor: User, *, days: int = 180) -> dict[int, int]:
    """How often the actor used each type recently, for "most used first" in the type list."""
    since = date.today() - timedelta(days=days)
    rows = db.session.execute(
        select(Activity.activity_type_id, func.count())
        .where(
            Activity.clinician_id == actor.id, Activity.deleted_at.is_(None), Activity.activity_on >= since
        )
        .group_by(Activity.activity_type_id)
    )
    return {int(type_id): int(count) for type_id, count in rows}
