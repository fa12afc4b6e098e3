"""The records behind a dashboard figure: eager loads for the list, and the rows of its CSV download."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.models import Activity, ActivityDeliverer
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.reports.queries import ActivityFilter, filtered_activities
from indirect_work.taxonomy.models import ActivityType


def clinician_name(team: Team, user_id: int | None) -> str | None:
    """The name of a member of the team, or of someone with records for it (None for anyone else)."""
    if not user_id:
        return None
    member = select(RoleAssignment.user_id).where(RoleAssignment.team_id == team.id)
    has_records = select(Activity.clinician_id).where(
        Activity.team_id == team.id, Activity.clinician_id == user_id
    )
    return db.session.scalar(
        select(User.full_name).where(User.id == user_id, User.id.in_(member.union(has_records)))
    )


def record_loads() -> list[Any]:
    """What a records list shows of each record, loaded in a few queries rather than one per row."""
    return [
        selectinload(Activity.clinician).selectinload(User.profession),
        selectinload(Activity.activity_type).selectinload(ActivityType.category),
        selectinload(Activity.consultation_mechanism),
        selectinload(Activity.recipient_types),
        selectinload(Activity.co_deliverers).selectinload(ActivityDeliverer.clinician),
        selectinload(Activity.service_requests),
    ]


def staff_minutes(activity: Activity) -> int:
    """Every deliverer's own minutes added up (``capture/counting.py``: staff hours)."""
    return activity.duration_minutes + sum(d.minutes for d in activity.co_deliverers)


def co_delivered_by(activity: Activity) -> str:
    """The colleagues who co-delivered the session, each with their own minutes."""
    return "; ".join(f"{d.clinician.full_name} ({d.minutes} min)" for d in activity.co_deliverers)


CSV_HEADER = [
    "Date",
    "Start time",
    "Clinician",
    "Staff local identifier",
    "Profession",
    "Category",
    "Activity type",
    "Patient-specific",
    "Duration (minutes)",
    "Consultation mechanism",
    "Recipient types",
    "People reached",
    "Service request identifier",
    "Note",
    "Source",
    "Recorded at (UTC)",
    "Co-delivered by",
    "Staff minutes (all deliverers)",
    "Service request identifiers (all)",
]


def csv_rows(f: ActivityFilter) -> Iterator[list[Any]]:
    """One CSV row per record, read in batches so a long list never sits in memory whole."""
    stmt = filtered_activities(f).options(*record_loads()).execution_options(yield_per=500)
    for a in db.session.scalars(stmt):
        clinician = a.clinician
        yield [
            a.activity_on.isoformat(),
            a.start_time.strftime("%H:%M") if a.start_time else "",
            clinician.full_name,
            clinician.staff_local_id or "",
            clinician.profession.label if clinician.profession else "",
            a.activity_type.category.label,
            a.activity_type.label,
            "Yes" if a.activity_type.is_patient_specific else "No",
            a.duration_minutes,
            a.consultation_mechanism.label,
            "; ".join(r.label for r in a.recipient_types),
            a.people_reached,
            a.service_request_id or "",
            a.note or "",
            a.source,
            a.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            co_delivered_by(a),
            staff_minutes(a),
            "; ".join(a.service_request_ids),
        ]
