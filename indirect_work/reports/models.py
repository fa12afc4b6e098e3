"""Published workbooks: a fully locked provider-month's file, kept so it reads the same every time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model


class Publication(Model):
    """The commissioner workbook of a month whose teams had all locked it, as first generated.

    A publication stands on the month locks it was built from (``locks``): while every one of
    them is still in place, later downloads get these exact bytes, whatever admins have changed
    since (a team moved, a person left, a label reworded). Lifting any of those locks retires it;
    the next download then builds, and once all teams lock again publishes, a new revision.
    """

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_lookup", "organisation_id", "month", "variant", "policy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: First day of the month published.
    month: Mapped[date] = mapped_column(Date)
    #: ``all`` or the MHSDS service or team type code of a one-team-type workbook.
    variant: Mapped[str] = mapped_column(String(8))
    #: The disclosure settings and file format it was built under (a change of either republishes).
    policy: Mapped[str] = mapped_column(String(40))
    #: ``[[team_id, locked_at ISO], ...]``: the month locks the publication stands on.
    locks: Mapped[list[Any]] = mapped_column(JSON)
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Publication {self.organisation_id} {self.month:%Y-%m} {self.variant} {self.sha256[:12]}>"
