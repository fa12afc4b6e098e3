"""An activity's values in two shapes: as received (``ActivityInput``), as checked (``CheckedActivity``).

Every entry path (form, week grid, import, API) builds an :class:`ActivityInput` with typed values
it could read, ``None`` where it could not; the rules turn it into a :class:`CheckedActivity`, in
which every required field is present and valid, and only that is written to a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from indirect_work.capture.models import Activity


@dataclass
class ActivityInput:
    """Plain, already-parsed values of one activity record (``None`` means not given)."""

    activity_type_id: int | None
    activity_on: date | None
    duration_minutes: int | None
    team_id: int | None
    consultation_mechanism_code: str | None
    recipient_type_ids: list[int] = field(default_factory=list)
    people_reached: int | None = 1
    start_time: time | None = None
    service_request_id: str | None = None
    note: str | None = None
    #: The second and further service requests of a meeting about several patients.
    more_service_request_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.service_request_id = (self.service_request_id or "").strip() or None
        self.more_service_request_ids = [
            v.strip() for v in self.more_service_request_ids or [] if v and v.strip()
        ]
        self.note = (self.note or "").strip() or None
        self.consultation_mechanism_code = (self.consultation_mechanism_code or "").strip() or None
        self.recipient_type_ids = sorted(set(self.recipient_type_ids or []))

    @classmethod
    def from_activity(cls, activity: Activity) -> ActivityInput:
        """The stored record's values, as the starting point of a change."""
        return cls(
            activity_type_id=activity.activity_type_id,
            activity_on=activity.activity_on,
            duration_minutes=activity.duration_minutes,
            team_id=activity.team_id,
            consultation_mechanism_code=activity.consultation_mechanism_code,
            recipient_type_ids=[r.id for r in activity.recipient_types],
            people_reached=activity.people_reached,
            start_time=activity.start_time,
            service_request_id=activity.service_request_id,
            note=activity.note,
            more_service_request_ids=activity.service_request_ids[1:],
        )


@dataclass(frozen=True)
class CheckedActivity:
    """Values that passed every rule: what a record is written from (built by the rules only)."""

    activity_type_id: int
    activity_on: date
    duration_minutes: int
    team_id: int
    consultation_mechanism_code: str
    recipient_type_ids: tuple[int, ...]
    people_reached: int
    start_time: time | None = None
    service_request_id: str | None = None
    more_service_request_ids: tuple[str, ...] = ()
    note: str | None = None
