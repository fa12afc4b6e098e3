"""Audit events: who did what to which object, when and from where. Never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model


class AuditEvent(Model):
    """One audited action. Holds structured field changes only: never passwords or note text."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The e-mail the actor signed in with (kept even for failed sign-ins with no user).
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: Dotted verb, e.g. ``auth.login``, ``activity.create``, ``month.lock``.
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    #: ``{"field": [old, new]}`` for structured fields, or extra context.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(36))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


#: PostgreSQL refuses UPDATE and DELETE on the audit table, whoever asks.
APPEND_ONLY_FUNCTION = DDL(
    """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
    END;
    $$ LANGUAGE plpgsql
    """
)
APPEND_ONLY_TRIGGER = DDL(
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)
#: SQLite equivalent, so the guarantee holds on the embedded database as well.
SQLITE_NO_UPDATE = DDL(
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
)
SQLITE_NO_DELETE = DDL(
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
)

for _ddl in (APPEND_ONLY_FUNCTION, APPEND_ONLY_TRIGGER):
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))
for _ddl in (SQLITE_NO_UPDATE, SQLITE_NO_DELETE):
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
