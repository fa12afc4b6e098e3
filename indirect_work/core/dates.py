"""Month arithmetic used by capture, locks and reports (months are identified by their first day)."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

#: The window of dates the service deals in: records start in 2000 (the capture rules' earliest
#: date) and nothing is planned past 2100. Dates outside it are refused as input, so month
#: arithmetic and date ranges never reach ``date``'s own limits (years 1 and 9999).
WINDOW_START = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
FUTURE_MONTH = "The month must not be in the future"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative goes back)."""
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    """The last day of the month containing ``month``."""
    return add_months(month_start(month), 1) - timedelta(days=1)


def parse_month(text: str) -> date:
    """Parse ``YYYY-MM`` into the month's first day; raises ValueError with a readable message."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM, for example 2026-04")
    year = int(match.group(1))
    if year > LATEST_DATE.year:
        raise ValueError(FUTURE_MONTH)
    if year < WINDOW_START.year:
        raise ValueError(f"Months before {WINDOW_START:%B %Y} are not recorded")
    return date(year, int(match.group(2)), 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` inclusive (both given as any day in the month)."""
    months, current, last = [], month_start(first), month_start(last)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def format_month(month: date) -> str:
    return month.strftime("%B %Y")


def is_future_month(month: date, today: date | None = None) -> bool:
    """Whether ``month`` starts after the current month (reports are for months that have begun)."""
    return month_start(month) > month_start(today or date.today())
