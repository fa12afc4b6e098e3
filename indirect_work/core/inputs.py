"""Bounded input: ids within the database's range, dates in a sane window, safe text, bounded JSON.

Every value a request carries reaches the database or the calendar through one of these, so a
hostile or careless value is refused as "not found" or "not valid" instead of failing deep inside
a query ("integer out of range" on PostgreSQL, ``OverflowError`` from ``date``, a NUL byte that
PostgreSQL refuses and SQLite would store). The checks live here, once, rather than in each view:

* ``BoundedIntConverter`` replaces Flask's ``int`` URL converter, so every ``<int:...>`` route
  matches only ids the database can hold; anything else is a 404, exactly as a missing record.
* ``parse_id``, ``parse_date``, ``parse_month`` read ids, dates and months from the query string.
* ``CheckedForm`` is the base of every HTML form: whatever a form's own validators say, a text field
  holding a NUL or a lone surrogate, or a whole number beyond the database's range, gets a message
  next to the field and the form is not valid.
* ``bad_text`` is the shared text rule (the API's base schema uses it too); ``read_json`` is the
  JSON body reader with depth and size limits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from indirect_work.core.dates import LATEST_DATE, WINDOW_START
from indirect_work.core.dates import parse_month as _parse_month

#: The largest id (and whole number) every supported database stores: PostgreSQL's ``integer``.
DB_INT_MAX = 2**31 - 1
#: Text no field may hold: NUL (PostgreSQL refuses it) and lone UTF-16 surrogates (not encodable).
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT_MESSAGE = "Remove the control or invalid characters (such as NUL) from this field"
OUT_OF_WINDOW = f"Enter a date between {WINDOW_START:%d/%m/%Y} and {LATEST_DATE:%d/%m/%Y}"
NUMBER_TOO_BIG = "Enter a smaller number"

#: JSON bodies: nesting and size beyond these are no request this service understands.
JSON_MAX_DEPTH = 32
JSON_MAX_BYTES = 256 * 1024


def _up_to(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 0..``limit`` (leading zeros allowed)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"]  # every shorter number
    for i, digit in enumerate(digits):
        if digit != "0":
            options.append(digits[:i] + f"[0-{int(digit) - 1}]" + rf"\d{{{len(digits) - i - 1}}}")
    options.append(digits)
    return "0*(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` matching only 0..``DB_INT_MAX``: a larger id matches no route (404), never a query.

    The bound is in the regular expression, not only in ``to_python``: the router checks a rule's
    methods before converting, so a bound checked only on conversion turns a huge id sent with
    another method into a 405 naming the route's methods instead of the 404 a missing record gets.
    """

    regex = _up_to(DB_INT_MAX)

    def __init__(self, map: Any, fixed_digits: int = 0, min: int = 0, max: int | None = None) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max or DB_INT_MAX)


def install_bounded_ids(app: Flask) -> None:
    """Make the bounded converter the app's ``int``; must run before any blueprint adds its rules."""
    app.url_map.converters["int"] = BoundedIntConverter


def parse_id(value: Any) -> int | None:
    """A positive id the database can hold, from text such as a query parameter; anything else is None."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= DB_INT_MAX else None


def optional_id(value: Any) -> int | None:
    """A select's ``coerce``: an id (or an int already coerced), None for blank or anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else parse_id(value)


def in_window(day: date | datetime) -> bool:
    """Whether ``day`` lies in the window of dates the service deals in (see ``core.dates``)."""
    as_date = day.date() if isinstance(day, datetime) else day
    return WINDOW_START <= as_date <= LATEST_DATE


def parse_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` within the window, or None (unreadable, impossible or out-of-window dates)."""
    try:
        day = date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    return day if in_window(day) else None


def parse_month(value: Any) -> date | None:
    """``YYYY-MM`` within the window as the month's first day, or None."""
    try:
        return _parse_month(str(value or ""))
    except ValueError:
        return None


def bad_text(value: Any) -> bool:
    """Whether a text value holds a character no field may store (NUL, a lone surrogate)."""
    return isinstance(value, str) and _BAD_TEXT.search(value) is not None


class CheckedForm(FlaskForm):
    """The base of every HTML form: the checks no form may forget, whatever its own validators say."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in self:
            message = _field_problem(field.data)
            if message and message not in field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


def _field_problem(data: Any) -> str | None:
    values = data if isinstance(data, list | tuple) else [data]
    for value in values:
        if bad_text(value):
            return BAD_TEXT_MESSAGE
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > DB_INT_MAX:
            return NUMBER_TOO_BIG
        if isinstance(value, date) and not in_window(value):
            return OUT_OF_WINDOW
    return None


class JSONRefused(ValueError):
    """A JSON body refused before or while reading it; ``field`` names where the problem is."""

    def __init__(self, message: str, field: str = "_body") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def read_json(raw: bytes) -> Any:
    """Parse a JSON body, refusing oversized, over-deep or unreadable bodies and bad text in strings.

    The depth is measured before parsing, because Python's parser recurses and a body nested
    100,000 deep would end in ``RecursionError`` rather than a refusal.
    """
    if len(raw) > JSON_MAX_BYTES:
        raise JSONRefused(f"The body is larger than {JSON_MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JSONRefused("The body is not UTF-8 text") from None
    if _depth(text) > JSON_MAX_DEPTH:
        raise JSONRefused(f"The body is nested more than {JSON_MAX_DEPTH} levels deep")
    try:
        payload = json.loads(text)
    except ValueError:
        raise JSONRefused("The body is not valid JSON") from None
    for path, value in _strings(payload, ""):
        if bad_text(value):
            raise JSONRefused(BAD_TEXT_MESSAGE, path or "_body")
    return payload


def _depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` outside strings (stops counting once past the limit)."""
    depth = deepest = 0
    for token in re.finditer(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', text):
        char = token.group()
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > JSON_MAX_DEPTH:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a parsed body (keys included) with the dotted path of the field holding it."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield path, key
            yield from _strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))
