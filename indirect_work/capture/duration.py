"""Free-form durations as clinicians type them, turned into whole minutes.

Accepted: ``90`` (a bare whole number is minutes), ``90m``/``90 min``, ``1:30`` (hours:minutes),
``1h30``, ``1h 30m``, ``2h``, ``1.5h`` and ``1,5h`` (decimal hours, rounded to the nearest minute),
``2 hours 15 minutes``. A bare decimal such as ``1.5`` is refused with a hint, because "1.5 minutes"
is almost never meant and guessing hours would silently record the wrong figure.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

MAX_TEXT_LENGTH = 30

_HOURS = r"(?:h|hr|hrs|hour|hours)"
_MINUTES = r"(?:m|min|mins|minute|minutes)"
_COLON = re.compile(r"^(\d{1,2}):(\d{2})$")
_UNITS = re.compile(
    rf"^(?:(?P<hours>\d{{1,3}}(?:[.,]\d{{1,3}})?)\s*{_HOURS}\.?)?\s*"
    rf"(?:(?P<minutes>\d{{1,4}})\s*(?P<unit>{_MINUTES})?\.?)?$"
)
EXAMPLES = "for example 45, 1:30, 1h30 or 1.5h"


def parse_duration(text: object) -> int:
    """Return the duration in whole minutes; raise ``ValueError`` with a readable message.

    The range (1 to 1440 minutes) is a rule of the record, checked in ``rules.py``.
    """
    if not isinstance(text, str):
        if isinstance(text, int) and not isinstance(text, bool):
            return text
        raise ValueError(f"Enter the duration, {EXAMPLES}")
    value = text.strip().lower()
    if not value:
        raise ValueError(f"Enter the duration, {EXAMPLES}")
    if len(value) > MAX_TEXT_LENGTH:
        raise ValueError(f"Enter the duration in a short form, {EXAMPLES}")
    colon = _COLON.match(value)
    if colon:
        hours, minutes = int(colon.group(1)), int(colon.group(2))
        if minutes >= 60:
            raise ValueError("After the colon enter minutes from 00 to 59, for example 1:30")
        return hours * 60 + minutes
    if re.fullmatch(r"\d+[.,]\d+", value):
        raise ValueError(
            f"A number on its own is minutes. For hours add h, for example {value}h; "
            "for minutes enter a whole number"
        )
    match = _UNITS.match(value)
    if not match or not (match.group("hours") or match.group("minutes")):
        raise ValueError(f"Enter the duration as minutes or hours, {EXAMPLES}")
    total = Decimal(0)
    if match.group("hours"):
        total += Decimal(match.group("hours").replace(",", ".")) * 60
    if match.group("minutes"):
        total += Decimal(match.group("minutes"))
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_duration(minutes: int | None) -> str:
    """``90`` -> ``1h 30m``; ``45`` -> ``45m``; ``120`` -> ``2h``."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    if hours:
        return f"{hours}h"
    return f"{rest}m"
