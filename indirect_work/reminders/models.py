"""Sent reminders (one row per person, kind and period decides that none is sent twice) and opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model

#: The kinds of reminder, as ``flask send-reminders --kind`` names them.
KINDS = ("weekly", "month-end", "month-ready")
_KINDS_SQL = "kind IN ('weekly', 'month-end', 'month-ready')"


class SentReminder(Model):
    """A reminder claimed for one person, kind and period; written before the email is sent.

    The unique key is the guard against sending twice: a second scheduler (or a second run) that
    tries to claim the same reminder fails to insert the row and skips the person.
    """

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "period"),
        CheckConstraint(_KINDS_SQL, name="kind_known"),
        CheckConstraint("status IN ('sending', 'sent', 'failed', 'email_off')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    #: ``2026-W49`` for a week, ``2026-11`` for a month, ``2026-11/org-3`` for a provider's month.
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="sending")
    #: The queued job that claimed the row: if its worker dies mid-send, the job's retry resumes it.
    job_id: Mapped[str | None] = mapped_column(String(64))
    #: The SMTP server's answer when the email could not be sent.
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderOptOut(Model):
    """A person who asked not to receive one kind of reminder."""

    __tablename__ = "reminder_opt_outs"
    __table_args__ = (CheckConstraint(_KINDS_SQL, name="kind_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
