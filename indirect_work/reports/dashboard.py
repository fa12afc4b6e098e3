"""The team dashboard's page model: headline figures, charts with their tables, completeness, locks.

Every figure comes from :mod:`indirect_work.reports.queries` (GROUP BY in the database); this module
only arranges the grouped rows for the page, each figure with the link to the records behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import url_for

from indirect_work.auth.models import User
from indirect_work.capture.locks import can_lock_team, lock_history, lock_states, user_names
from indirect_work.core.dates import add_months, month_end, month_start, months_between, parse_month
from indirect_work.org.models import Team
from indirect_work.reports.dimensions import DIMENSIONS, Dimension
from indirect_work.reports.forms import DashboardFilterForm
from indirect_work.reports.queries import (
    ActivityFilter,
    RollupRow,
    Totals,
    monthly_rollup,
    previous_period,
    rollup,
    team_completeness,
    totals,
)

Link = Callable[..., str]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    previous: str
    change: str
    url: str


@dataclass
class Chart:
    """A chart and the table that carries the same numbers (``rows`` of ``(label, cells)``)."""

    id: str
    title: str
    kind: str
    unit: str
    labels: list[str]
    datasets: list[dict[str, Any]]
    columns: list[str]
    rows: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    hint: str = ""
    horizontal: bool = False
    stacked: bool = False

    def config(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "unit": self.unit,
            "labels": self.labels,
            "datasets": self.datasets,
            "horizontal": self.horizontal,
            "stacked": self.stacked,
            "title": self.title,
        }


def _hours(minutes: int) -> float:
    return float((Decimal(minutes) / 60).quantize(Decimal("0.1")))


def _hours_text(minutes: int) -> str:
    return f"{_hours(minutes):,.1f}"


def _change(
    now: int | Decimal | None,
    before: int | Decimal | None,
    *,
    more: str = "more",
    less: str = "fewer",
    points: bool = False,
) -> str:
    """How ``now`` compares with ``before``, in words (percentage points for shares)."""
    if now is None or before is None:
        return "No previous figure to compare"
    diff = Decimal(now) - Decimal(before)
    if diff == 0:
        return "No change on the previous period"
    if points:
        direction = "higher" if diff > 0 else "lower"
        return f"{abs(diff) * 100:.1f} percentage points {direction} than the previous period"
    if before == 0:
        return "None in the previous period"
    return f"{abs(diff) * 100 / Decimal(before):.0f}% {more if diff > 0 else less} than the previous period"


def _share_text(share: Decimal | None) -> str:
    return "–" if share is None else f"{share * 100:.1f}%"


def headline_figures(now: Totals, before: Totals, link: Any) -> list[Figure]:
    return [
        Figure(
            "Activities",
            f"{now.activities:,}",
            f"{before.activities:,}",
            _change(now.activities, before.activities),
            link(),
        ),
        Figure(
            "Hours",
            _hours_text(now.minutes),
            _hours_text(before.minutes),
            _change(now.minutes, before.minutes, less="less"),
            link(),
        ),
        Figure(
            "People reached",
            f"{now.people_reached:,}",
            f"{before.people_reached:,}",
            _change(now.people_reached, before.people_reached),
            link(),
        ),
        Figure(
            "Clinicians contributing",
            f"{now.clinicians:,}",
            f"{before.clinicians:,}",
            _change(now.clinicians, before.clinicians),
            link(),
        ),
        Figure(
            "Patient-specific share of hours",
            _share_text(now.patient_specific_share),
            _share_text(before.patient_specific_share),
            _change(now.patient_specific_share, before.patient_specific_share, points=True),
            link(patient_specific="yes"),
        ),
    ]


def _single_series_chart(
    chart_id: str,
    title: str,
    rows: Sequence[RollupRow],
    *,
    param: str,
    link: Link,
    measure: str = "hours",
    hint: str = "",
    horizontal: bool = False,
) -> Chart:
    """A bar chart of one measure over one dimension; each bar and table row links to its records."""
    labels = [row.labels[0] for row in rows]
    urls = [link(**{param: row.keys[0]}) if row.keys[0] is not None else None for row in rows]
    if measure == "hours":
        data: list[float | int] = [_hours(row.minutes) for row in rows]
        unit, heading = "hours", "Hours"
    else:
        data, unit, heading = [row.people_reached for row in rows], "people", "People reached"
    table = [
        (
            row.labels[0],
            [(f"{row.activities:,}", url), (_hours_text(row.minutes), url), (f"{row.people_reached:,}", url)],
        )
        for row, url in zip(rows, urls, strict=True)
    ]
    return Chart(
        chart_id,
        title,
        "bar",
        unit,
        labels,
        [{"label": heading, "data": data, "urls": urls}],
        ["Activities", "Hours", "People reached"],
        table,
        hint=hint,
        horizontal=horizontal,
    )


def _month_chart(by_month: Sequence[RollupRow], by_month_category: Sequence[RollupRow], link: Any) -> Chart:
    """Hours by month, stacked by category; every segment links to that month and category."""
    months = [row.keys[0] for row in by_month]
    labels = [parse_month(m).strftime("%b %Y") for m in months]
    categories: dict[int, str] = {}
    cells: dict[tuple[str, int], int] = {}
    for row in by_month_category:
        if len(row.keys) > 1 and row.keys[1] is not None:
            categories.setdefault(row.keys[1], row.labels[1])
            cells[(row.keys[0], row.keys[1])] = row.minutes
    urls = {key: link(start=key[0], end=key[0], category=key[1]) for key in cells}
    datasets = [
        {
            "label": label,
            "data": [_hours(cells.get((m, cat_id), 0)) for m in months],
            "urls": [urls.get((m, cat_id)) for m in months],
        }
        for cat_id, label in categories.items()
    ]
    rows = []
    for m, label, total in zip(months, labels, by_month, strict=True):
        row_cells: list[tuple[str, str | None]] = [
            (_hours_text(cells.get((m, cat_id), 0)), urls.get((m, cat_id))) for cat_id in categories
        ]
        row_cells.append((_hours_text(total.minutes), link(start=m, end=m)))
        rows.append((label, row_cells))
    return Chart(
        "hours-by-month",
        "Hours by month and category",
        "bar",
        "hours",
        labels,
        datasets,
        [*categories.values(), "All categories"],
        rows,
        stacked=True,
        hint="Months with no records show as zero.",
    )


def build_dashboard(
    team: Team, form: DashboardFilterForm, user: User, today: date | None = None
) -> dict[str, Any]:
    """Everything the dashboard page shows, each figure with the link to the records behind it."""
    f = form.activity_filter(team)
    args = form.query_args()
    args.setdefault("start", f.start.strftime("%Y-%m"))
    args.setdefault("end", f.end.strftime("%Y-%m"))

    base = url_for("reports.records", team_id=team.id)

    def link(**overrides: Any) -> str:
        # Hundreds of links per page: one url_for for the path, then only the query string.
        return base + "?" + urlencode({**args, **{k: str(v) for k, v in overrides.items()}})

    this_month = month_start(today or date.today())
    check_months = [add_months(this_month, -1), this_month]
    return {
        "filter": f,
        "previous": previous_period(f),
        "figures": headline_figures(totals(f), totals(previous_period(f)), link),
        "charts": _charts(f, link),
        "check_months": check_months,
        "members": team_completeness(team.id, check_months),
        **_lock_panel(team, f, check_months, user),
        "records_url": link(),
        "member_link": lambda user_id, month: link(
            start=month.strftime("%Y-%m"), end=month.strftime("%Y-%m"), clinician=user_id
        ),
    }


def _dimension_chart(chart_id: str, f: ActivityFilter, dimension: Dimension, link: Link, **kw: Any) -> Chart:
    """A chart over one dimension of the registry: its label for the title, its URL parameter for links."""
    spec = DIMENSIONS[dimension]
    measure = "People reached" if kw.get("measure") == "people" else "Hours"
    return _single_series_chart(
        chart_id,
        f"{measure} by {spec.label.lower()}",
        rollup(f, [dimension]),
        param=spec.query_param or dimension.value,
        link=link,
        **kw,
    )


def _charts(f: ActivityFilter, link: Link) -> list[Chart]:
    """The four charts, in page order."""
    return [
        _dimension_chart("hours-by-category", f, Dimension.CATEGORY, link),
        _month_chart(monthly_rollup(f), monthly_rollup(f, [Dimension.CATEGORY]), link),
        _dimension_chart("hours-by-profession", f, Dimension.PROFESSION, link, horizontal=True),
        _dimension_chart(
            "reach-by-recipient",
            f,
            Dimension.RECIPIENT_TYPE,
            link,
            measure="people",
            horizontal=True,
            hint="An activity with several recipient types counts under each, so these can add up to more "
            "than the total.",
        ),
    ]


def _lock_panel(team: Team, f: ActivityFilter, check_months: list[date], user: User) -> dict[str, Any]:
    """The period's months with their lock state, the latest lock history, and who may lock."""
    period_months = months_between(f.start, min(f.end, month_end(check_months[-1])))
    states = lock_states(team.id, [*period_months, *check_months])
    history = lock_history(team.id, limit=10)
    names = user_names(
        [s.locked_by_id for s in states.values()]
        + [s.unlocked_by_id for s in states.values()]
        + [e.actor_id for e in history]
    )
    return {
        "lock_months": list(reversed(period_months)),
        "lock_states": states,
        "lock_history": history,
        "names": names,
        "can_lock": can_lock_team(user, team.id),
    }
