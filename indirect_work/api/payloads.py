"""Reading API requests and writing its answers: the caller, JSON bodies, query arguments, 422s, JSON out."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user
from marshmallow import Schema
from marshmallow import ValidationError as SchemaError

from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.core.errors import PermissionDenied, ValidationFailed
from indirect_work.core.inputs import OUT_OF_WINDOW, JSONRefused, in_window, read_json
from indirect_work.core.permissions import Permission, has_permission


def caller() -> User:
    """The user the request acts for (a token's user or the signed-in browser)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def require(permission: Permission) -> User:
    """The caller, or ``PermissionDenied`` (403) when their roles lack ``permission``."""
    user = caller()
    if not has_permission(user, permission):
        raise PermissionDenied("Your role does not allow this")
    return user


def _messages(value: Any) -> list[str]:
    """Flatten marshmallow's nested messages (lists, per-index dicts) into a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    return [m for v in value or [] for m in _messages(v)]


def load(schema: type[Schema], data: Any, *, partial: bool = False) -> dict[str, Any]:
    """Load ``data`` with ``schema``; a shape error becomes ``ValidationFailed`` (422) per field."""
    try:
        return schema().load(data, partial=partial)  # type: ignore[no-any-return]
    except SchemaError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed(
            {
                ("_body" if name == "_schema" else name): list(dict.fromkeys(_messages(value)))
                for name, value in messages.items()
            }
        ) from None


def query_args(schema: type[Schema]) -> dict[str, Any]:
    """Query parameters as a dict: list fields take every value (``by=a&by=b`` or ``by=a,b``)."""
    lists = {name for name, f in schema().fields.items() if f.__class__.__name__ == "List"}
    raw: dict[str, Any] = {}
    for name in request.args:
        values = request.args.getlist(name)
        raw[name] = [p for v in values for p in v.split(",") if p] if name in lists else values[-1]
    loaded = load(schema, raw)
    # Dates that filter a query stay in the window, so no bound is shifted past the calendar's edge
    # (``updated_since=0001-01-01T00:00:00+14:00``); bodies leave dates to the rule set's messages.
    outside = {k: [OUT_OF_WINDOW] for k, v in loaded.items() if isinstance(v, date) and not in_window(v)}
    if outside:
        raise ValidationFailed(outside)
    return loaded


def json_body() -> dict[str, Any]:
    """The request's JSON object, whatever its Content-Type claims; anything else is a 422.

    Read by ``core.inputs.read_json`` rather than ``request.get_json``: a body nested too deep, too
    large, or holding NUL or a lone surrogate is refused with a 422 naming where, instead of
    failing in the parser (``RecursionError``) or in the database.
    """
    try:
        payload = read_json(request.get_data(cache=True))
    except JSONRefused as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from None
    if not isinstance(payload, dict):
        raise ValidationFailed({"_body": ["Send a JSON object (Content-Type: application/json)"]})
    return payload


def dump(schema: type[Schema], obj: Any, status: int = 200) -> Response:
    """``obj`` dumped by ``schema`` as a JSON response with ``status``."""
    response = jsonify(schema().dump(obj))
    response.status_code = status
    return response


def activity_data(fields: dict[str, Any], base: ActivityInput | None = None) -> ActivityInput:
    """The loaded fields over ``base`` (a change) or over nothing (a new record), for the rule set."""
    values = (
        asdict(base)
        if base is not None
        else {
            "activity_type_id": None,
            "activity_on": None,
            "duration_minutes": None,
            "team_id": None,
            "consultation_mechanism_code": None,
        }
    )
    values.update({k: v for k, v in fields.items() if k != "version"})
    return ActivityInput(**values)
