"""Admin write operations: they validate, flush and audit; the view commits."""

from __future__ import annotations

from typing import Any

from indirect_work.audit.services import diff_fields, record_event
from indirect_work.core.errors import ValidationFailed


class FieldErrors:
    """Collects per-field messages and raises them together as one ``ValidationFailed``."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, messages: str | list[str]) -> None:
        for message in [messages] if isinstance(messages, str) else messages:
            self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def apply_and_audit(obj: Any, data: dict[str, Any], *, fields: tuple[str, ...], action: str,
                    object_type: str) -> dict[str, list[Any]]:
    """Set ``fields`` from ``data`` on ``obj``; audit the changed fields (nothing when unchanged)."""
    before = snapshot(obj, fields)
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])
    changes = diff_fields(before, snapshot(obj, fields))
    if changes:
        record_event(action, object_type=object_type, object_id=obj.id, details=changes)
    return changes
