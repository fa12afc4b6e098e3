"""What every API schema shares: refusing unknown fields, id fields and the ``{"items": [...]}`` wrapper."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from indirect_work.core.inputs import BAD_TEXT_MESSAGE, DB_INT_MAX, bad_text

ID = {"minimum": 1, "maximum": DB_INT_MAX}


def id_field(description: str, **kw: Any) -> fields.Integer:
    """An id in a body (checked against the database by the rule set) or, ``query=True``, a query filter."""
    if kw.pop("query", False):
        kw.update(strict=False, validate=validate.Range(1, DB_INT_MAX))
    kw.setdefault("strict", True)
    return fields.Integer(metadata={"description": description, **ID}, **kw)


class StrictSchema(Schema):
    """Unknown fields refused; and, for every schema whatever its fields, the checks no field may skip.

    Text holding NUL or a lone surrogate is refused before loading, naming the field: PostgreSQL
    cannot store NUL and SQLite must not, whichever schema or field the text arrives in.
    """

    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def _refuse_bad_text(self, data: Any, **_kw: Any) -> Any:
        if isinstance(data, dict):
            bad = {
                str(k): [BAD_TEXT_MESSAGE]
                for k, v in data.items()
                if _holds_bad_text(k) or _holds_bad_text(v)
            }
            if bad:
                raise ValidationError(bad)
        return data


def _holds_bad_text(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_holds_bad_text(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_bad_text(k) or _holds_bad_text(v) for k, v in value.items())
    return bad_text(value)


def items_schema(name: str, item: type[Schema]) -> type[Schema]:
    """``{"items": [...]}``: every list is wrapped, so fields can be added later without breaking clients."""
    return type(name, (StrictSchema,), {"items": fields.List(fields.Nested(item))})
