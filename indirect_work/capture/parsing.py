"""Reading typed text (whole numbers, dates, times) into values, with messages the user can act on.

Shared by the log form, the list filters, the week grid and the import: each reports a value it
cannot read against the field, in the same ``{field: [message]}`` shape as the rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any, TypeVar

T = TypeVar("T")

_INT = re.compile(r"^\s*(\d{1,9})\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


class FieldParser:
    """Parses one record's typed fields, remembering the message of each value it could not read."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def __call__(self, name: str, parser: Callable[[str], T], value: Any) -> T | None:
        """``None`` for an empty value or one that cannot be read (its message is kept under ``name``)."""
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if not text.strip():
            return None
        try:
            return parser(text.strip())
        except ValueError as exc:
            self.errors[name] = [str(exc)]
            return None


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_int(text: str, message: str) -> int:
    match = _INT.match(text)
    if not match:
        raise ValueError(message)
    return int(match.group(1))


def parse_date(text: str) -> date:
    """``2026-03-15`` (what date inputs send) or ``15/03/2026``."""
    iso, uk = _ISO_DATE.match(text), _UK_DATE.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        raise ValueError("Enter a real date, for example 15/03/2026") from None
    raise ValueError("Enter the date as day/month/year, for example 15/03/2026")


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if match:
        try:
            return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        except ValueError:
            pass
    raise ValueError("Enter the start time on the 24-hour clock, for example 14:30")


def parse_people(text: str) -> int:
    return parse_int(text, "Enter the number of people reached as a whole number, for example 12")
