"""Which activities a list or a figure covers: one filter and one WHERE builder for every reader.

"My activities", the team dashboard, the commissioner workbook and the API all select records
through :func:`activity_where`, so a filter means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, literal, or_, select

from indirect_work.auth.models import User
from indirect_work.capture.models import Activity, ActivityDeliverer, activity_recipients
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityType


@dataclass(frozen=True)
class ActivityFilter:
    """Which live activities a figure is computed over. ``None`` means "no restriction"."""

    start: date
    end: date  # inclusive
    organisation_id: int | None = None
    team_ids: frozenset[int] | None = None
    service_team_type_code: str | None = None
    profession_id: int | None = None
    category_id: int | None = None
    activity_type_id: int | None = None
    consultation_mechanism_code: str | None = None
    recipient_type_id: int | None = None
    clinician_id: int | None = None
    patient_specific: bool | None = None
    #: Record lists for warehouse loads only: soft-deleted records too. Figures never count them.
    include_deleted: bool = False


def delivered_by(clinician_ids: Any) -> ColumnElement[bool]:
    """Records any of whose deliverers (creator or co-deliverer) is one of ``clinician_ids`` (a select)."""
    return or_(
        Activity.clinician_id.in_(clinician_ids),
        Activity.id.in_(
            select(ActivityDeliverer.activity_id).where(ActivityDeliverer.clinician_id.in_(clinician_ids))
        ),
    )


def activity_where(
    f: ActivityFilter, *, with_deleted: bool = False, deliverer: Any = None
) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the activities ``f`` describes (live ones unless ``with_deleted``).

    ``deliverer`` is the column of the deliverer's id when figures are computed over the deliverers'
    parts (``capture.counting.PARTS``): then the clinician and profession filters select parts.
    Without it they select the records any of whose deliverers matches.
    """
    clauses: list[ColumnElement[bool]] = [
        Activity.activity_on >= f.start,
        Activity.activity_on <= f.end,
    ]
    if not with_deleted:
        clauses.append(Activity.deleted_at.is_(None))
    if f.organisation_id is not None:
        clauses.append(Activity.organisation_id == f.organisation_id)
    if f.team_ids is not None:
        clauses.append(Activity.team_id.in_(sorted(f.team_ids)) if f.team_ids else literal(False))
    if f.service_team_type_code is not None:
        clauses.append(
            Activity.team_id.in_(
                select(Team.id).where(Team.service_team_type_code == f.service_team_type_code)
            )
        )
    if f.profession_id is not None:
        people = select(User.id).where(User.profession_id == f.profession_id)
        clauses.append(deliverer.in_(people) if deliverer is not None else delivered_by(people))
    if f.category_id is not None:
        clauses.append(
            Activity.activity_type_id.in_(
                select(ActivityType.id).where(ActivityType.category_id == f.category_id)
            )
        )
    if f.activity_type_id is not None:
        clauses.append(Activity.activity_type_id == f.activity_type_id)
    if f.consultation_mechanism_code is not None:
        clauses.append(Activity.consultation_mechanism_code == f.consultation_mechanism_code)
    if f.recipient_type_id is not None:
        clauses.append(
            Activity.id.in_(
                select(activity_recipients.c.activity_id).where(
                    activity_recipients.c.recipient_type_id == f.recipient_type_id
                )
            )
        )
    if f.clinician_id is not None:
        if deliverer is not None:
            clauses.append(deliverer == f.clinician_id)
        else:
            clauses.append(delivered_by([f.clinician_id]))
    if f.patient_specific is not None:
        clauses.append(
            Activity.activity_type_id.in_(
                select(ActivityType.id).where(ActivityType.is_patient_specific.is_(f.patient_specific))
            )
        )
    return clauses
