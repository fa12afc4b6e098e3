"""Aggregate figures for the API, scoped by the caller's role and suppressed for commissioners.

* Admins: every record (optionally one organisation or team).
* Team leads: the teams they lead.
* Commissioners: the published grid only (``docs/disclosure.md``): one whole month of one
  organisation they commission, optionally one team type, grouped by at most one dimension, with
  exactly the workbook's published figures (suppressed, cut from the whole provider's pattern,
  rounded). Never a record, a name or a note, and never part of a month.
* Clinicians: their own records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from indirect_work.auth.models import User
from indirect_work.core.dates import month_end, month_start
from indirect_work.core.errors import NotFound, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import (
    can_view_organisation_reports,
    can_view_team,
    logs_own_records,
    reportable_organisation_ids,
    visible_team_ids,
)
from indirect_work.extensions import db
from indirect_work.org.models import Organisation
from indirect_work.reports.dimensions import COMMISSIONER_DIMENSIONS, FILTER_FIELDS, Dimension
from indirect_work.reports.disclosure import DisclosurePolicy, Published
from indirect_work.reports.published import published_month
from indirect_work.reports.queries import ActivityFilter, RollupRow, Totals, rollup, totals

WHOLE_MONTH = (
    "Commissioners receive whole months only: start on the first day of a month and end on its "
    "last day (for example 2026-10-01 and 2026-10-31)"
)
GRID_FILTER = "Commissioners receive the published tables: a whole provider, or one team type"


@dataclass(frozen=True)
class Scope:
    basis: str
    filter: ActivityFilter
    policy: DisclosurePolicy | None = None


def scope_for(user: User, query: dict[str, Any]) -> Scope:
    """The filter the caller's role allows, narrowed by the query; 404 for a team or provider not theirs."""
    common = {name: query[name] for name in FILTER_FIELDS if name in query}
    f = ActivityFilter(start=query["start"], end=query["end"], **common)
    team_id, organisation_id = query.get("team_id"), query.get("organisation_id")
    teams = visible_team_ids(user)
    if teams is None:
        return Scope("all", _narrow(f, organisation_id, {team_id} if team_id else None))
    if teams:
        if team_id is not None and not can_view_team(user, team_id):
            raise NotFound("That team does not exist or is not one you lead")
        return Scope("led_teams", _narrow(f, organisation_id, {team_id} if team_id else teams))
    if reportable_organisation_ids(user):
        return _commissioner_scope(user, f, query)
    if logs_own_records(user):
        f = _narrow(f, organisation_id, {team_id} if team_id else None)
        return Scope("own_records", ActivityFilter(**{**f.__dict__, "clinician_id": user.id}))
    raise PermissionDenied("Your account has no role that can see activity figures")


def _narrow(f: ActivityFilter, organisation_id: int | None, team_ids: set[int] | None) -> ActivityFilter:
    return ActivityFilter(
        **{
            **f.__dict__,
            "organisation_id": organisation_id,
            "team_ids": frozenset(team_ids) if team_ids is not None else None,
        }
    )


def _commissioner_scope(user: User, f: ActivityFilter, query: dict[str, Any]) -> Scope:
    errors = _grid_errors(f, query)
    organisation_id = query.get("organisation_id")
    commissioned = reportable_organisation_ids(user) or set()
    if organisation_id is None:
        if len(commissioned) != 1:
            errors["organisation_id"] = ["Choose the provider organisation (you commission more than one)"]
        else:
            organisation_id = next(iter(commissioned))
    elif not can_view_organisation_reports(user, organisation_id):
        raise NotFound("That organisation does not exist or is not one you commission")
    if errors:
        raise ValidationFailed(errors)
    policy = DisclosurePolicy.from_config(current_app.config)
    return Scope("commissioned_organisation", _narrow(f, organisation_id, None), policy)


def _grid_errors(f: ActivityFilter, query: dict[str, Any]) -> dict[str, list[str]]:
    """Why the query asks for more than the publication grid (empty when it does not)."""
    errors: dict[str, list[str]] = {}
    if query.get("team_id") is not None:
        errors["team_id"] = ["Commissioners receive figures for a whole provider, not for one team"]
    by = query.get("by") or []
    if len(by) > 1 or any(Dimension(d) not in COMMISSIONER_DIMENSIONS for d in by):
        allowed = ", ".join(d.value for d in COMMISSIONER_DIMENSIONS)
        errors["by"] = [f"Commissioners may group by one of: {allowed}"]
    if not _is_whole_month(f.start, f.end):
        errors["start"] = errors["end"] = [WHOLE_MONTH]
    for name in FILTER_FIELDS:
        if name != "service_team_type_code" and query.get(name) is not None:
            errors[name] = [GRID_FILTER]
    return errors


def _is_whole_month(start: date, end: date) -> bool:
    return start == month_start(start) and end == month_end(start)


def _published_measures(figures: Published | None) -> dict[str, Any]:
    if figures is None:
        return _measures(None)
    return {
        "activities": figures.activities,
        "minutes": round(figures.hours * 60),
        "hours": figures.hours,
        "people_reached": figures.people_reached,
        "clinicians": figures.clinicians,
        "patient_specific_minutes": None,
        "suppressed": False,
    }


def _published_rollup(scope: Scope, by: list[Dimension]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The commissioner's totals and rows: the workbook's published cells, nothing else."""
    assert scope.policy is not None
    f = scope.filter
    organisation = db.session.get(Organisation, f.organisation_id)
    if organisation is None:
        raise NotFound("That organisation does not exist or is not one you commission")
    month = published_month(organisation, f.start, scope.policy, f.service_team_type_code)
    rows = [
        {"keys": [row.key], "labels": [row.label], **_published_measures(row.figures)}
        for row in (month.rows(by[0]) if by else [])
    ]
    return _published_measures(month.total), rows


def _measures(figures: Totals | RollupRow | None) -> dict[str, Any]:
    if figures is None:
        return {
            "activities": None,
            "minutes": None,
            "hours": None,
            "people_reached": None,
            "clinicians": None,
            "patient_specific_minutes": None,
            "suppressed": True,
        }
    return {
        "activities": figures.activities,
        "minutes": figures.minutes,
        "hours": float(figures.hours),
        "people_reached": figures.people_reached,
        "clinicians": figures.clinicians,
        "patient_specific_minutes": figures.patient_specific_minutes,
        "suppressed": False,
    }


def rollup_for(user: User, query: dict[str, Any]) -> dict[str, Any]:
    """Totals and grouped rows of the caller's scope, ready for :class:`RollupSchema`."""
    scope = scope_for(user, query)
    f = scope.filter
    by = [Dimension(d) for d in query.get("by") or []]
    if scope.policy is not None:
        total, rows = _published_rollup(scope, by)
    else:
        total = _measures(totals(f))
        rows = [
            {"keys": list(row.keys), "labels": list(row.labels), **_measures(row)}
            for row in (rollup(f, by) if by else [])
        ]
    return {
        "start": f.start,
        "end": f.end,
        "by": [d.value for d in by],
        "scope": {
            "basis": scope.basis,
            "organisation_id": f.organisation_id,
            "team_ids": sorted(f.team_ids) if f.team_ids is not None else None,
            "suppression_threshold": scope.policy.threshold if scope.policy else None,
            "disclosure_rounding": scope.policy.rounding if scope.policy else None,
        },
        "totals": total,
        "rows": rows,
    }
