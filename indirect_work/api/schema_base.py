"""What every API schema shares: refusing unknown fields, id fields and the ``{"items": [...]}`` wrapper."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

ID = {"minimum": 1, "maximum": 2**31 - 1}


def id_field(description: str, **kw: Any) -> fields.Integer:
    """An id in a body (checked against the database by the rule set) or, ``query=True``, a query filter."""
    if kw.pop("query", False):
        kw.update(strict=False, validate=validate.Range(1, 2**31 - 1))
    kw.setdefault("strict", True)
    return fields.Integer(metadata={"description": description, **ID}, **kw)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


def items_schema(name: str, item: type[Schema]) -> type[Schema]:
    """``{"items": [...]}``: every list is wrapped, so fields can be added later without breaking clients."""
    return type(name, (StrictSchema,), {"items": fields.List(fields.Nested(item))})
