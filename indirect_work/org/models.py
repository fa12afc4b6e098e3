"""Provider organisations, their teams, the MHSDS team-type list and the professions list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model


class Organisation(Model):
    """A provider organisation (an NHS trust or similar), identified by its ODS code."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ORGANISATION IDENTIFIER (CODE OF PROVIDER): ODS code, an3 to an6, upper case.
    ods_code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ODS code of the commissioner used for MHS204 OrgIDComm when an activity names none.
    default_commissioner_code: Mapped[str | None] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Organisation {self.ods_code}>"


class ServiceTeamType(Model):
    """SERVICE OR TEAM TYPE FOR MENTAL HEALTH (MHSDS code list, an3)."""

    __tablename__ = "service_team_types"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<ServiceTeamType {self.code}>"


class Team(Model):
    """A care professional team within one organisation."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "local_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: CARE PROFESSIONAL TEAM LOCAL IDENTIFIER (an20), unique within the provider.
    local_id: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    service_team_type_code: Mapped[str] = mapped_column(ForeignKey("service_team_types.code"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="teams")
    service_team_type: Mapped[ServiceTeamType] = relationship()

    def __repr__(self) -> str:
        return f"<Team {self.local_id} {self.name!r}>"


class Profession(Model):
    """A psychological profession from the national list, mapped to the MHSDS staff group."""

    __tablename__ = "professions"
    __table_args__ = (CheckConstraint("length(staff_group_code) = 2", name="staff_group_code_an2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    #: Grouping used in reports (psychologists, psychological therapists, practitioners, ...).
    group: Mapped[str] = mapped_column(String(60))
    #: CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH), an2.
    staff_group_code: Mapped[str] = mapped_column(String(2))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Profession {self.code}>"
