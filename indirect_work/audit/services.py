"""Write audit events from any layer; request details are picked up when there is a request."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from indirect_work.audit.models import AuditEvent
from indirect_work.core.transactions import keep_despite_refusal
from indirect_work.extensions import db


def client_ip() -> str | None:
    """The client address (``ProxyFix`` has already applied the trusted-proxy rule)."""
    return request.remote_addr if has_request_context() else None


def record_event(
    action: str,
    *,
    actor: Any = None,
    actor_email: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=actor_email or getattr(actor, "email", None),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details or {},
        ip_address=client_ip(),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(event)
    return event


def audit_refused_request() -> None:
    """Record a refused request (ASVS 16.3.2); kept although the refused work itself is rolled back.

    The app factory hands this to ``core.error_handlers`` as the writer for every 403 answer.
    """
    details = {"method": request.method, "path": request.path[:200], "endpoint": request.endpoint}
    keep_despite_refusal(lambda: record_event("access.denied", details=details))


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose values differ (values made JSON-friendly)."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [_jsonable(old), _jsonable(new)]
    return changes


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return str(value)
