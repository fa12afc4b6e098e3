"""Activity records, their recipients, favourites and month locks."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indirect_work.auth.models import User
from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model, db
from indirect_work.org.models import Organisation, Team
from indirect_work.taxonomy.models import ActivityType, ConsultationMechanism, RecipientType

SOURCES = ("web", "week", "import", "api")

activity_recipients = Table(
    "activity_recipients",
    db.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("recipient_type_id", ForeignKey("recipient_types.id"), primary_key=True),
)

#: What changed because of an activity (its clinician's record; editable in a locked month).
activity_outcomes = Table(
    "activity_outcomes",
    db.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("outcome_option_id", ForeignKey("outcome_options.id"), primary_key=True),
)


class Activity(Model):
    """One logged piece of indirect work (names follow the MHSDS MHS204 items where one exists)."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration_minutes_range"),
        CheckConstraint("people_reached >= 0", name="people_reached_not_negative"),
        CheckConstraint("source IN ('web', 'week', 'import', 'api')", name="source_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Dashboards: one team's live records over a period, index-only (the measures are key columns;
        # PostgreSQL also carries the mechanism and id). See docs/performance.md.
        Index(
            "ix_activities_team_dashboard",
            "team_id",
            "activity_on",
            "deleted_at",
            "activity_type_id",
            "clinician_id",
            "duration_minutes",
            "people_reached",
            postgresql_include=["consultation_mechanism_code", "id"],
        ),
        # Workbooks: one provider's live records in a month.
        Index("ix_activities_organisation_id_activity_on", "organisation_id", "activity_on"),
        # "My activities" and completeness.
        Index("ix_activities_clinician_id_activity_on", "clinician_id", "activity_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    activity_type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id"), index=True)
    #: INDIRECT ACTIVITY DATE.
    activity_on: Mapped[date] = mapped_column(Date)
    #: INDIRECT ACTIVITY TIME; required for patient-specific types.
    start_time: Mapped[time | None] = mapped_column(Time)
    #: DURATION OF INDIRECT ACTIVITY in minutes (1..1440).
    duration_minutes: Mapped[int] = mapped_column(Integer)
    consultation_mechanism_code: Mapped[str] = mapped_column(ForeignKey("consultation_mechanisms.code"))
    #: How many people received the work (staff trained, professionals consulted, ...).
    people_reached: Mapped[int] = mapped_column(Integer, default=1)
    #: SERVICE REQUEST IDENTIFIER of the EPR referral; only for patient-specific types.
    service_request_id: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(10), default="web")
    #: One-time token from the form or Idempotency-Key, so a resubmission never doubles a record.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    team: Mapped[Team] = relationship()
    clinician: Mapped[User] = relationship(foreign_keys=[clinician_id])
    activity_type: Mapped[ActivityType] = relationship()
    consultation_mechanism: Mapped[ConsultationMechanism] = relationship()
    recipient_types: Mapped[list[RecipientType]] = relationship(
        secondary=activity_recipients, order_by="RecipientType.sort_order"
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    #: Colleagues who delivered the same session (the creator's own part is the record itself).
    co_deliverers: Mapped[list[ActivityDeliverer]] = relationship(
        back_populates="activity", order_by="ActivityDeliverer.id", cascade="all, delete-orphan"
    )
    #: Every SERVICE REQUEST IDENTIFIER of a patient-specific record, in the order given.
    service_requests: Mapped[list[ActivityServiceRequest]] = relationship(
        order_by="ActivityServiceRequest.position", cascade="all, delete-orphan"
    )

    @property
    def service_request_ids(self) -> list[str]:
        """The record's service requests in order (the ``service_request_id`` column holds the first)."""
        if self.service_requests:
            return [s.service_request_id for s in self.service_requests]
        return [self.service_request_id] if self.service_request_id else []

    @property
    def co_deliverer_ids(self) -> frozenset[int]:
        return frozenset(d.clinician_id for d in self.co_deliverers)

    @property
    def is_shared(self) -> bool:
        return bool(self.co_deliverers)

    def part_of(self, clinician_id: int) -> ActivityDeliverer | None:
        """The co-deliverer's part (None for the creator or someone else)."""
        return next((d for d in self.co_deliverers if d.clinician_id == clinician_id), None)

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.activity_on} {self.duration_minutes}m>"


class ActivityDeliverer(Model):
    """A colleague who co-delivered a session, with their own minutes (counting: ``capture/counting.py``).

    The record's own clinician, team and duration are the creator's part; each row here is one more
    deliverer's part, attributed to the record's team.
    """

    __tablename__ = "activity_deliverers"
    __table_args__ = (
        UniqueConstraint("activity_id", "clinician_id"),
        CheckConstraint("minutes BETWEEN 1 AND 1440", name="deliverer_minutes_range"),
        Index("ix_activity_deliverers_clinician_id", "clinician_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: This deliverer's own time in minutes (defaults to the session's duration).
    minutes: Mapped[int] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="co_deliverers")
    clinician: Mapped[User] = relationship(foreign_keys=[clinician_id])

    def __repr__(self) -> str:
        return f"<ActivityDeliverer {self.activity_id} {self.clinician_id} {self.minutes}m>"


class ActivityServiceRequest(Model):
    """One SERVICE REQUEST IDENTIFIER of a patient-specific record (a meeting about several patients)."""

    __tablename__ = "activity_service_requests"
    __table_args__ = (
        UniqueConstraint("activity_id", "service_request_id"),
        UniqueConstraint("activity_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    #: 0 for the first (the one also kept in ``activities.service_request_id``).
    position: Mapped[int] = mapped_column(Integer)
    service_request_id: Mapped[str] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"<ActivityServiceRequest {self.activity_id} {self.position}>"


class Favourite(Model):
    """A clinician's saved activity template: one click pre-fills the log form."""

    __tablename__ = "favourites"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    activity_type_id: Mapped[int] = mapped_column(ForeignKey("activity_types.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    consultation_mechanism_code: Mapped[str | None] = mapped_column(
        ForeignKey("consultation_mechanisms.code")
    )
    #: Comma-separated recipient type codes.
    recipient_codes: Mapped[str] = mapped_column(String(400), default="")
    people_reached: Mapped[int | None] = mapped_column(Integer)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity_type: Mapped[ActivityType] = relationship()


class MonthLock(Model):
    """A team's month checked and locked by its lead: its records are read-only except to admins."""

    __tablename__ = "month_locks"
    __table_args__ = (UniqueConstraint("team_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    #: First day of the locked month.
    month: Mapped[date] = mapped_column(Date)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_locked: Mapped[bool] = mapped_column(Boolean, default=True)
    unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unlock_reason: Mapped[str | None] = mapped_column(String(500))

    team: Mapped[Team] = relationship()


class IdempotencyRecord(Model):
    """The first response to an API create with an ``Idempotency-Key``, replayed on a retry."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
