"""Gathering a provider's month for the commissioner workbook, and the Reports page's queries.

Every figure is grouped in SQL (nothing per activity) and handed to the workbook writer as a
:class:`MonthlyReport`; the page asks which providers a user may report on and which teams have
not locked the month yet.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text

from indirect_work.auth.models import Role, RoleAssignment, User
from indirect_work.capture.models import MonthLock
from indirect_work.core.dates import add_months, month_end, month_start
from indirect_work.core.db import utcnow
from indirect_work.core.errors import NotFound, ValidationFailed
from indirect_work.core.permissions import reportable_organisation_ids
from indirect_work.extensions import db
from indirect_work.impact.rollups import Scope, impact_for
from indirect_work.org.models import Organisation, Profession, ServiceTeamType, Team
from indirect_work.reports.dimensions import Dimension
from indirect_work.reports.disclosure import Breakdown, Line, Measured
from indirect_work.reports.month_queries import month_category_rollup, recipient_rollup
from indirect_work.reports.queries import ActivityFilter, RollupRow, distinct_clinicians, rollup
from indirect_work.reports.workbook import MonthlyReport, TeamCompleteness, TrendMonth
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, RecipientType

TREND_MONTHS = 12
REPORT_WORK_MEM = "64MB"


def _breakdown(
    f: ActivityFilter,
    dimension: Dimension,
    rows: list[RollupRow],
    total: Any,
    describe: Any,
    *,
    additive: bool = True,
) -> Breakdown:
    lines = tuple(Line(row.keys[-1], tuple(describe(row)), row) for row in rows)
    return Breakdown(lines, total, lambda keys: distinct_clinicians(f, dimension, keys), additive)


def collect_monthly_report(
    organisation: Organisation,
    month: date,
    *,
    team_type_code: str | None = None,
    generated_at: datetime | None = None,
) -> MonthlyReport:
    """Every figure of the provider's month (GROUP BY in the database; nothing per activity)."""
    if db.engine.dialect.name == "postgresql":
        # Room for the grouping to hash in memory rather than sort on disk, for this transaction only.
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    month = month_start(month)
    # The provider's records are those logged under it (activities.organisation_id), not those of
    # the teams it has today: a team moving to another provider changes no figure of earlier months.
    f = ActivityFilter(
        start=month,
        end=month_end(month),
        organisation_id=organisation.id,
        service_team_type_code=team_type_code,
    )
    teams_by_month = _teams_by_month(f, month)
    team_rows = teams_by_month.get(f"{month:%Y-%m}", [])
    trend, trend_categories = _trend(f, month)
    current, categories = trend[-1].total, trend[-1].categories
    completeness, expected_sets, team_types_of = _completeness(organisation, month, team_type_code, team_rows)
    team_type = None
    if team_type_code:
        team_type = (team_type_code, db.session.get(ServiceTeamType, team_type_code).description)  # type: ignore[union-attr]
    return MonthlyReport(
        provider_name=organisation.name,
        ods_code=organisation.ods_code,
        month=month,
        period_end=f.end,
        generated_at=generated_at or utcnow(),
        team_type=team_type,
        current=current,
        previous=trend[-2].total,
        teams_contributing=len(team_rows),
        previous_teams_contributing=len(teams_by_month.get(f"{add_months(month, -1):%Y-%m}", [])),
        categories=categories,
        types=_types(f, categories),
        **_breakdowns(f, current, team_rows, team_types_of),
        trend_categories=trend_categories,
        trend=trend,
        completeness=completeness,
        expected_union=lambda keys: len(set().union(*(expected_sets.get(k, set()) for k in keys))),
        expected_total=len(set().union(*expected_sets.values())) if expected_sets else 0,
        contributing_total=current.clinicians,
        impact=impact_for(
            Scope(start=month, end=f.end, organisation_id=organisation.id, team_type_code=team_type_code)
        ),
    )


def _teams_by_month(f: ActivityFilter, month: date) -> dict[str, list[RollupRow]]:
    """Team rows (keyed by team id) of the report month and the one before, read in one pass."""
    teams_by_month: dict[str, list[RollupRow]] = {}
    for r in rollup(replace(f, start=add_months(month, -1)), [Dimension.MONTH, Dimension.TEAM]):
        teams_by_month.setdefault(r.keys[0], []).append(
            RollupRow(
                r.activities,
                r.minutes,
                r.people_reached,
                r.clinicians,
                r.patient_specific_minutes,
                keys=r.keys[1:],
                labels=r.labels[1:],
            )
        )
    return teams_by_month


def _types(f: ActivityFilter, categories: Breakdown) -> dict[Any, Breakdown]:
    """Activity type rows per category id, each adding up to its category's row."""
    types_meta = {t.id: t for t in db.session.scalars(select(ActivityType))}
    by_type: dict[Any, list[RollupRow]] = {}
    for row in rollup(f, [Dimension.CATEGORY, Dimension.ACTIVITY_TYPE]):
        by_type.setdefault(row.keys[0], []).append(row)

    def describe_type(row: RollupRow) -> tuple[Any, ...]:
        meta = types_meta[row.keys[1]]
        return (
            meta.code,
            meta.label,
            meta.is_patient_specific,
            "MHS204" if meta.mhsds_target == "MHS204" else "Local only",
        )

    category_totals = {line.key: line.figures for line in categories.lines}
    return {
        category_id: _breakdown(
            replace(f, category_id=category_id),
            Dimension.ACTIVITY_TYPE,
            rows,
            category_totals.get(category_id),
            describe_type,
        )
        for category_id, rows in by_type.items()
    }


def _breakdowns(
    f: ActivityFilter, current: Measured, team_rows: list[RollupRow], team_types_of: dict[int, str]
) -> dict[str, Breakdown]:
    """The team type, profession, mechanism and recipient type tables of the month."""
    professions = {p.id: p for p in db.session.scalars(select(Profession))}
    recipient_codes = dict(db.session.execute(select(RecipientType.id, RecipientType.code)).all())
    team_type_teams: dict[Any, int] = {}
    for row in team_rows:
        code = team_types_of.get(row.keys[0])
        team_type_teams[code] = team_type_teams.get(code, 0) + 1
    return {
        "team_types": _breakdown(
            f,
            Dimension.TEAM_TYPE,
            rollup(f, [Dimension.TEAM_TYPE]),
            current,
            lambda r: (r.keys[0], r.labels[0], team_type_teams.get(r.keys[0], 0)),
        ),
        "professions": _breakdown(
            f,
            Dimension.PROFESSION,
            rollup(f, [Dimension.PROFESSION]),
            current,
            lambda r: _describe_profession(professions.get(r.keys[0]), r.labels[0]),
        ),
        "mechanisms": _breakdown(
            f,
            Dimension.MECHANISM,
            rollup(f, [Dimension.MECHANISM]),
            current,
            lambda r: (r.keys[0], r.labels[0]),
        ),
        "recipients": _breakdown(
            f,
            Dimension.RECIPIENT_TYPE,
            recipient_rollup(f),
            current,
            lambda r: (recipient_codes.get(r.keys[0], ""), r.labels[0]),
            additive=False,
        ),
    }


def _describe_profession(profession: Profession | None, label: str) -> tuple[Any, ...]:
    if profession is None:
        return (label, "Not recorded", "")
    return (profession.label, profession.group, profession.staff_group_code)


def _trend(f: ActivityFilter, month: date) -> tuple[tuple[TrendMonth, ...], tuple[tuple[Any, str], ...]]:
    """The 12 months to the report month: category rows and the month total of each month."""
    first = add_months(month, -(TREND_MONTHS - 1))
    span = replace(f, start=first, end=month_end(month))
    category_rows = db.session.execute(
        select(ActivityCategory.id, ActivityCategory.label, ActivityCategory.sort_order)
    ).all()
    labels = {key: label for key, label, _ in category_rows}
    rank = {key: order for key, _, order in category_rows}
    month_totals: dict[str, RollupRow] = {}
    per_month: dict[str, list[RollupRow]] = {}
    categories: dict[Any, str] = {}
    for row in month_category_rollup(span):
        if row.keys[1] is None:
            month_totals[row.keys[0]] = row
        else:
            per_month.setdefault(row.keys[0], []).append(row)
            categories.setdefault(row.keys[1], labels[row.keys[1]])
    months = []
    for index in range(TREND_MONTHS):
        start = add_months(first, index)
        key = start.strftime("%Y-%m")
        month_filter = replace(f, start=start, end=month_end(start))
        rows = per_month.get(key, [])
        total = month_totals.get(key) or RollupRow()
        lines = tuple(Line(row.keys[1], (labels[row.keys[1]],), row) for row in rows)
        months.append(
            TrendMonth(
                start,
                total,
                Breakdown(
                    lines,
                    total,
                    partial(distinct_clinicians, month_filter, Dimension.CATEGORY),
                ),
            )
        )
    # Columns in the taxonomy's order.
    ranked = sorted(categories, key=lambda key: (rank.get(key, 0), categories[key]))
    return tuple(months), tuple((key, categories[key]) for key in ranked)


def _completeness(
    organisation: Organisation, month: date, team_type_code: str | None, team_rows: list[RollupRow]
) -> tuple[tuple[TeamCompleteness, ...], dict[str, set[int]], dict[int, str]]:
    """Each team expected to report (active, or with records), with its lock and clinician counts.

    Also returns the clinicians expected per team local id, and each team's type code by team id.
    """
    contributing = {row.keys[0]: row.clinicians for row in team_rows}
    stmt = select(Team).where(expected_to_report(organisation, list(contributing)))
    if team_type_code:
        stmt = stmt.where(Team.service_team_type_code == team_type_code)
    teams = list(db.session.scalars(stmt.order_by(Team.local_id)))
    locked = set(
        db.session.scalars(
            select(MonthLock.team_id).where(
                MonthLock.month == month,
                MonthLock.is_locked.is_(True),
                MonthLock.team_id.in_([t.id for t in teams]),
            )
        )
    )
    members: dict[int, set[int]] = {}
    for team_id, user_id in db.session.execute(
        select(RoleAssignment.team_id, RoleAssignment.user_id)
        .join(User, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == Role.CLINICIAN.value,
            User.is_active.is_(True),
            RoleAssignment.team_id.in_([t.id for t in teams]),
        )
    ):
        assert team_id is not None  # only assignments to the listed teams are selected
        members.setdefault(team_id, set()).add(user_id)
    rows = tuple(
        TeamCompleteness(
            team.local_id,
            team.name,
            team.service_team_type_code,
            team.id in locked,
            len(members.get(team.id, set())),
            contributing.get(team.id, 0),
            team.id in contributing,
        )
        for team in teams
    )
    return (
        rows,
        {team.local_id: members.get(team.id, set()) for team in teams},
        {team.id: team.service_team_type_code for team in teams},
    )


def expected_to_report(organisation: Organisation, with_records: Any) -> ColumnElement[bool]:
    """The teams expected to report a month: the provider's active teams, and any team with records
    logged under the provider that month (``with_records``: ids or a subquery), one that has since
    moved to another provider included."""
    return or_(
        (Team.organisation_id == organisation.id) & Team.is_active.is_(True),
        Team.id.in_(with_records),
    )


def unlocked_teams(organisation: Organisation, month: date, team_type_code: str | None = None) -> list[Team]:
    """Active teams of the provider whose month is not locked yet."""
    locked = select(MonthLock.team_id).where(
        MonthLock.month == month_start(month), MonthLock.is_locked.is_(True)
    )
    stmt = select(Team).where(
        Team.organisation_id == organisation.id, Team.is_active.is_(True), Team.id.not_in(locked)
    )
    if team_type_code:
        stmt = stmt.where(Team.service_team_type_code == team_type_code)
    return list(db.session.scalars(stmt.order_by(Team.name)))


def find_organisation(ods_code: str) -> Organisation:
    """The organisation with this ODS code (case-insensitive); NotFound otherwise."""
    organisation = db.session.scalar(
        select(Organisation).where(func.upper(Organisation.ods_code) == (ods_code or "").strip().upper())
    )
    if organisation is None:
        raise NotFound(f"No organisation has the ODS code {ods_code!r}")
    return organisation


def check_team_type(code: str | None) -> str | None:
    """The team type code if it exists (None for all types); ValidationFailed otherwise."""
    if not code:
        return None
    if db.session.get(ServiceTeamType, code.strip().upper()) is None:
        raise ValidationFailed({"team_type": [f"{code!r} is not an MHSDS service or team type code"]})
    return code.strip().upper()


# The Reports page --------------------------------------------------------------------------------


def reportable_organisations(user: User) -> list[Organisation]:
    """Organisations whose workbooks the user may download: all for admins, commissioned ones otherwise."""
    stmt = select(Organisation).order_by(Organisation.name)
    allowed = reportable_organisation_ids(user)
    if allowed is not None:
        stmt = stmt.where(Organisation.id.in_(sorted(allowed)))
    return list(db.session.scalars(stmt))
