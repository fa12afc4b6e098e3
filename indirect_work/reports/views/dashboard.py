"""Dashboard routes: a lead's team dashboard, the records behind its figures, and their CSV download.

A lead sees the teams they lead; admins see every team (``core.permissions.visible_team_ids``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.core.dates import format_month
from indirect_work.core.permissions import Permission, can_view_team, require_permission, visible_team_ids
from indirect_work.core.replica import reads_from_replica
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.extensions import db
from indirect_work.impact.rollups import Scope, impact_for
from indirect_work.org.models import Team
from indirect_work.reports.dashboard import build_dashboard
from indirect_work.reports.forms import DashboardFilterForm, RecordsFilterForm
from indirect_work.reports.queries import ActivityFilter, filtered_activities, totals
from indirect_work.reports.records import (
    CSV_HEADER,
    clinician_name,
    co_delivered_by,
    csv_rows,
    record_loads,
    staff_minutes,
)
from indirect_work.reports.views.blueprints import bp

PAGE_SIZE = 50


def get_team_for(user: User, team_id: int) -> Team:
    """The team, if the user may see its dashboard: 404 when it does not exist, 403 when not theirs."""
    team = db.session.get(Team, team_id)
    if team is None:
        abort(404)
    if not can_view_team(user, team.id):
        abort(403)
    return team


def _visible_teams() -> list[Team]:
    teams = visible_team_ids(current_user)
    stmt = select(Team).order_by(Team.name)
    stmt = stmt.where(Team.is_active.is_(True)) if teams is None else stmt.where(Team.id.in_(sorted(teams)))
    return list(db.session.scalars(stmt))


@bp.get("/dashboard")
@require_permission(Permission.TEAM_DASHBOARD)
def dashboard() -> Any:
    """The lead's team dashboard, or a choice of teams for those who lead several (and admins)."""
    teams = _visible_teams()
    if len(teams) == 1:
        # The filters carried over (first value of each); Any, as url_for's own _external etc. are not str.
        filters: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("reports.team_dashboard", team_id=teams[0].id, **filters))
    return render_template("reports/dashboard_index.html", teams=teams)


@bp.get("/dashboard/teams/<int:team_id>")
@require_permission(Permission.TEAM_DASHBOARD)
@reads_from_replica
def team_dashboard(team_id: int) -> Any:
    """Headline figures, charts, completeness and month locks for one team."""
    team = get_team_for(current_user, team_id)
    form = DashboardFilterForm()
    if not form.validate():
        return render_template(
            "reports/dashboard.html", team=team, form=form, page=None, teams=_visible_teams()
        ), 400
    page = build_dashboard(team, form, current_user)
    period = page["filter"]
    return render_template(
        "reports/dashboard.html",
        team=team,
        form=form,
        page=page,
        teams=_visible_teams(),
        format_month=format_month,
        impact=impact_for(Scope(start=period.start, end=period.end, team_ids=frozenset({team.id}))),
    )


def _records_filter(team_id: int) -> tuple[Team, RecordsFilterForm, ActivityFilter | None]:
    """The team (404/403 as for the dashboard), the filter form, and its filter when the form is valid."""
    team = get_team_for(current_user, team_id)
    form = RecordsFilterForm()
    return team, form, form.activity_filter(team) if form.validate() else None


def _invalid_filters(team: Team, form: RecordsFilterForm) -> Any:
    return render_template("reports/dashboard_records.html", team=team, form=form, page=None), 400


@bp.get("/dashboard/teams/<int:team_id>/records")
@require_permission(Permission.TEAM_DASHBOARD)
@reads_from_replica
def records(team_id: int) -> Any:
    """The team's records behind a figure or chart segment, with the same filters."""
    team, form, f = _records_filter(team_id)
    if f is None:
        return _invalid_filters(team, form)
    page = db.paginate(
        filtered_activities(f).options(*record_loads()),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    args = form.query_args()
    back_args = {k: v for k, v in args.items() if k in DashboardFilterForm.FIELDS}
    return render_template(
        "reports/dashboard_records.html",
        team=team,
        form=form,
        page=page,
        filter=f,
        summary=totals(f),
        args=args,
        back_args=back_args,
        clinician_name=clinician_name(team, f.clinician_id),
        staff_minutes=staff_minutes,
        co_delivered_by=co_delivered_by,
    )


@bp.get("/dashboard/teams/<int:team_id>/records.csv")
@require_permission(Permission.TEAM_DASHBOARD)
@reads_from_replica
def records_csv(team_id: int) -> Any:
    """The same filtered list as a CSV download (every field quoted; formulas neutralised).

    The export's audit event is committed by the commit point before the rows stream out.
    """
    team, form, f = _records_filter(team_id)
    if f is None:
        return _invalid_filters(team, form)
    record_event(
        "activity.export",
        object_type="team",
        object_id=team.id,
        details={"format": "csv", "rows": totals(f).activities, "filters": form.query_args()},
    )
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "-", team.local_id)
    filename = f"indirect-work_{safe_id}_records_{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(iter_csv(CSV_HEADER, csv_rows(f))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
