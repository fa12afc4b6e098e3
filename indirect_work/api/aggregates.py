"""Aggregate figures for the API, scoped by the caller's role and suppressed for commissioners.

* Admins: every record (optionally one organisation or team).
* Team leads: the teams they lead.
* Commissioners: one organisation they commission, grouped by at most one dimension, with the
  workbook's disclosure control: groups (and totals) from fewer than ``IW_SUPPRESSION_THRESHOLD``
  distinct clinicians are suppressed, plus secondary suppression so no hidden group can be worked
  out from the total. Never a record, a name or a note.
* Clinicians: their own records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from indirect_work.auth.models import User
from indirect_work.core.errors import NotFound, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import (
    can_view_organisation_reports,
    can_view_team,
    logs_own_records,
    reportable_organisation_ids,
    visible_team_ids,
)
from indirect_work.reports.dimensions import COMMISSIONER_DIMENSIONS, FILTER_FIELDS, Dimension
from indirect_work.reports.disclosure import Line, is_small, suppressed_keys
from indirect_work.reports.queries import (
    ActivityFilter,
    RollupRow,
    Totals,
    distinct_clinicians,
    rollup,
    totals,
)


@dataclass(frozen=True)
class Scope:
    basis: str
    filter: ActivityFilter
    threshold: int | None = None


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
    errors: dict[str, list[str]] = {}
    if query.get("team_id") is not None:
        errors["team_id"] = ["Commissioners receive figures for a whole provider, not for one team"]
    by = query.get("by") or []
    if len(by) > 1 or any(Dimension(d) not in COMMISSIONER_DIMENSIONS for d in by):
        allowed = ", ".join(d.value for d in COMMISSIONER_DIMENSIONS)
        errors["by"] = [f"Commissioners may group by one of: {allowed}"]
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
    threshold = int(current_app.config["IW_SUPPRESSION_THRESHOLD"])
    return Scope("commissioned_organisation", _narrow(f, organisation_id, None), threshold)


def _measures(figures: Totals | None) -> dict[str, Any]:
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
    total = totals(f)
    rows: list[RollupRow] = rollup(f, by) if by else []
    hidden: frozenset[Any] = frozenset()
    if scope.threshold is not None and by:
        lines = [Line(row.keys[-1], (), row) for row in rows]
        hidden = suppressed_keys(lines, scope.threshold, lambda keys: distinct_clinicians(f, by[0], keys))
    total_hidden = scope.threshold is not None and is_small(total, scope.threshold)
    return {
        "start": f.start,
        "end": f.end,
        "by": [d.value for d in by],
        "scope": {
            "basis": scope.basis,
            "organisation_id": f.organisation_id,
            "team_ids": sorted(f.team_ids) if f.team_ids is not None else None,
            "suppression_threshold": scope.threshold,
        },
        "totals": _measures(None if total_hidden else total),
        "rows": [
            {
                "keys": list(row.keys),
                "labels": list(row.labels),
                **_measures(None if row.keys[-1] in hidden else row),
            }
            for row in rows
        ],
    }
