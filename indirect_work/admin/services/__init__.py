"""Admin write operations: they validate, flush and audit; the view commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select

from indirect_work.admin.validators import local_code_problems
from indirect_work.audit.services import diff_fields, record_event
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db


class Identified(Protocol):
    """A stored row with an integer id."""

    @property
    def id(self) -> int: ...


class Coded(Identified, Protocol):
    """A stored row with an id and a unique code."""

    @property
    def code(self) -> str: ...


IdentifiedT = TypeVar("IdentifiedT", bound=Identified)
CodedT = TypeVar("CodedT", bound=Coded)


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


def check_code(
    errors: FieldErrors,
    model: Any,
    code: str,
    current: CodedT | None,
    *,
    in_use: Callable[[CodedT], bool],
    used_by: str,
) -> None:
    """A code is well formed, unique in ``model``, and unchanged once ``in_use(current)`` says it is used."""
    if current is not None and code != current.code and in_use(current):
        errors.add("code", f"The code cannot change: {used_by} {current.code}")
    elif problems := local_code_problems(code):
        errors.add("code", problems)
    elif db.session.scalar(select(model.id).where(model.code == code, model.id != getattr(current, "id", 0))):
        errors.add("code", f"The code {code} is already used by another entry")


def next_sort_order(column: Any, *where: Any) -> int:
    """The place after the last one (of the rows matching ``where``)."""
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def add_audited(obj: IdentifiedT, object_type: str, details: dict[str, Any]) -> IdentifiedT:
    """Add a new object, flush for its id and audit ``<object_type>.create`` with ``details``."""
    db.session.add(obj)
    db.session.flush()
    record_event(f"{object_type}.create", object_type=object_type, object_id=obj.id, details=details)
    return obj


def update_audited(
    obj: Any, data: dict[str, Any], *, fields: tuple[str, ...], object_type: str
) -> dict[str, list[Any]]:
    """Set ``fields`` from ``data``; audit ``<object_type>.update`` with the changed fields, if any."""
    before = {name: getattr(obj, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])
    changes = diff_fields(before, {name: getattr(obj, name) for name in fields})
    if changes:
        record_event(f"{object_type}.update", object_type=object_type, object_id=obj.id, details=changes)
    db.session.flush()
    return changes
