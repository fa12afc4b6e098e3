"""Search the audit trail and export it (read-only: the table is append-only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select

from indirect_work.audit.models import AuditEvent
from indirect_work.extensions import db

CSV_HEADER = [
    "id",
    "occurred_at_utc",
    "actor_email",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "details",
    "ip_address",
    "request_id",
]
#: Keys never shown even if a caller put them in ``details`` by mistake.
_HIDDEN_KEYS = {"password", "password_hash", "new_password", "note", "token", "secret", "mfa_secret"}


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def audit_query(criteria: AuditFilter) -> Select[AuditEvent]:
    """Events matching the filter, newest first."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if criteria.actor:
        query = query.where(AuditEvent.actor_email.ilike(_like(criteria.actor.strip().lower()), escape="\\"))
    if criteria.action:
        query = query.where(AuditEvent.action.like(criteria.action.replace("%", "") + "%"))
    if criteria.object_type:
        query = query.where(AuditEvent.object_type == criteria.object_type)
    if criteria.object_id:
        query = query.where(AuditEvent.object_id == criteria.object_id.strip())
    if criteria.date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(criteria.date_from, time(), UTC))
    if criteria.date_to:
        end = datetime.combine(criteria.date_to + timedelta(days=1), time(), UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def known_object_types() -> list[str]:
    return [
        t
        for t in db.session.scalars(
            select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
        )
        if t
    ]


def safe_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """The event's details without anything that looks like a secret or note text."""
    return {k: v for k, v in (details or {}).items() if k.lower() not in _HIDDEN_KEYS}


#: Actions whose details are ``{field: [old, new]}`` changes rather than plain values.
_CHANGE_ACTIONS = (".update", ".retire", ".reinstate", ".deactivate", ".reactivate", ".reorder")


def describe_details(event: AuditEvent) -> list[tuple[str, str, str | None]]:
    """``(field, old or value, new)`` lines for display; ``new`` is None when not a change."""
    is_change = event.action.endswith(_CHANGE_ACTIONS)
    lines: list[tuple[str, str, str | None]] = []
    for key, value in safe_details(event.details).items():
        if is_change and isinstance(value, list) and len(value) == 2:
            lines.append((key, _text(value[0]), _text(value[1])))
        else:
            lines.append((key, _text(value), None))
    return lines


def _text(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_rows(criteria: AuditFilter, batch: int = 1000) -> Iterator[list[Any]]:
    """Every matching event as a CSV row, read in batches so memory stays flat."""
    for event in db.session.scalars(audit_query(criteria).execution_options(yield_per=batch)):
        yield [
            event.id,
            event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_email or "",
            event.actor_id or "",
            event.action,
            event.object_type or "",
            event.object_id or "",
            json.dumps(safe_details(event.details), sort_keys=True, default=str),
            event.ip_address or "",
            event.request_id or "",
        ]
