"""Commissioner reports: gather a provider's month in SQL, build the workbook, and the Reports page.

Commissioners download workbooks for the organisations they commission; admins for every
organisation, plus the MHSDS MHS204 extract (it holds staff identifiers). Every generation and
download is audited. The page warns when a team's month is not locked yet.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    send_file,
    stream_with_context,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import distinct, func, literal, or_, select, text, union_all
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from indirect_work.audit.services import record_event
from indirect_work.auth.models import Role, RoleAssignment, User
from indirect_work.capture.models import Activity, MonthLock, activity_recipients
from indirect_work.core.dates import add_months, format_month, month_end, month_start, parse_month
from indirect_work.core.db import utcnow
from indirect_work.core.errors import NotFound, ValidationFailed
from indirect_work.core.permissions import Permission, has_permission, require_permission
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, ServiceTeamType, Team
from indirect_work.reports import mhsds_extract
from indirect_work.reports.queries import (
    ActivityFilter,
    Dimension,
    RollupRow,
    filtered_activities,
    month_key,
    rollup,
)
from indirect_work.reports.workbook import (
    Breakdown,
    Line,
    MonthlyReport,
    TeamCompleteness,
    TrendMonth,
    build_workbook,
    workbook_filename,
)
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, RecipientType

bp = Blueprint("commissioning", __name__, url_prefix="/commissioner-reports", template_folder="templates")

TREND_MONTHS = 12
REPORT_WORK_MEM = "64MB"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Gathering the figures ---------------------------------------------------------------------------


def distinct_clinicians(f: ActivityFilter, dimension: Dimension, keys: Collection[Any]) -> int:
    """Distinct clinicians behind the activities of ``f`` whose ``dimension`` value is one of ``keys``."""
    stmt = (
        filtered_activities(f)
        .order_by(None)
        .with_only_columns(func.count(distinct(Activity.clinician_id)))
        .select_from(Activity)
    )
    wanted = [k for k in keys if k is not None]
    if dimension is Dimension.CATEGORY:
        stmt = stmt.join(ActivityType, Activity.activity_type_id == ActivityType.id)
        column: Any = ActivityType.category_id
    elif dimension is Dimension.ACTIVITY_TYPE:
        column = Activity.activity_type_id
    elif dimension is Dimension.TEAM_TYPE:
        stmt = stmt.join(Team, Activity.team_id == Team.id)
        column = Team.service_team_type_code
    elif dimension is Dimension.PROFESSION:
        stmt = stmt.join(User, Activity.clinician_id == User.id)
        column = User.profession_id
    elif dimension is Dimension.MECHANISM:
        column = Activity.consultation_mechanism_code
    elif dimension is Dimension.RECIPIENT_TYPE:
        stmt = stmt.join(activity_recipients, activity_recipients.c.activity_id == Activity.id)
        column = activity_recipients.c.recipient_type_id
    else:  # pragma: no cover - only the dimensions the workbook suppresses over
        raise ValueError(dimension)
    condition = column.in_(sorted(wanted, key=str))
    if None in keys:
        condition = or_(condition, column.is_(None))
    return int(db.session.scalar(stmt.where(condition)) or 0)


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
    # The provider's records are those of its teams: filtering on team lets PostgreSQL answer every
    # roll-up from the covering team index alone (index-only scans), never visiting the table.
    team_ids = frozenset(db.session.scalars(select(Team.id).where(Team.organisation_id == organisation.id)))
    f = ActivityFilter(
        start=month, end=month_end(month), team_ids=team_ids, service_team_type_code=team_type_code
    )
    # Teams with records in this month and the one before, in one pass.
    teams_by_month: dict[str, list[RollupRow]] = {}
    for row in rollup(replace(f, start=add_months(month, -1)), [Dimension.MONTH, Dimension.TEAM]):
        teams_by_month.setdefault(row.keys[0], []).append(row)
    team_rows = [
        RollupRow(
            r.activities,
            r.minutes,
            r.people_reached,
            r.clinicians,
            r.patient_specific_minutes,
            keys=r.keys[1:],
            labels=r.labels[1:],
        )
        for r in teams_by_month.get(f"{month:%Y-%m}", [])
    ]

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

    trend, trend_categories = _trend(f, month)
    current, categories = trend[-1].total, trend[-1].categories
    category_totals = {line.key: line.figures for line in categories.lines}
    types = {
        category_id: _breakdown(
            replace(f, category_id=category_id),
            Dimension.ACTIVITY_TYPE,
            rows,
            category_totals.get(category_id),
            describe_type,
        )
        for category_id, rows in by_type.items()
    }
    professions = {p.id: p for p in db.session.scalars(select(Profession))}
    recipient_codes = dict(db.session.execute(select(RecipientType.id, RecipientType.code)).all())
    completeness, expected_sets, team_types_of = _completeness(organisation, month, team_type_code, team_rows)
    team_type_teams: dict[Any, int] = {}
    for row in team_rows:
        code = team_types_of.get(row.keys[0])
        team_type_teams[code] = team_type_teams.get(code, 0) + 1
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
        types=types,
        team_types=_breakdown(
            f,
            Dimension.TEAM_TYPE,
            rollup(f, [Dimension.TEAM_TYPE]),
            current,
            lambda r: (r.keys[0], r.labels[0], team_type_teams.get(r.keys[0], 0)),
        ),
        professions=_breakdown(
            f,
            Dimension.PROFESSION,
            rollup(f, [Dimension.PROFESSION]),
            current,
            lambda r: _describe_profession(professions.get(r.keys[0]), r.labels[0]),
        ),
        mechanisms=_breakdown(
            f,
            Dimension.MECHANISM,
            rollup(f, [Dimension.MECHANISM]),
            current,
            lambda r: (r.keys[0], r.labels[0]),
        ),
        recipients=_breakdown(
            f,
            Dimension.RECIPIENT_TYPE,
            _recipient_rollup(f),
            current,
            lambda r: (recipient_codes.get(r.keys[0], ""), r.labels[0]),
            additive=False,
        ),
        trend_categories=trend_categories,
        trend=trend,
        completeness=completeness,
        expected_union=lambda keys: len(set().union(*(expected_sets.get(k, set()) for k in keys))),
        expected_total=len(set().union(*expected_sets.values())) if expected_sets else 0,
        contributing_total=current.clinicians,
    )


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
    for row in _month_category_rollup(span):
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
                    lambda keys, mf=month_filter: distinct_clinicians(mf, Dimension.CATEGORY, keys),
                ),
            )
        )
    # Columns in the taxonomy's order.
    ranked = sorted(categories, key=lambda key: (rank.get(key, 0), categories[key]))
    return tuple(months), tuple((key, categories[key]) for key in ranked)


def _month_category_rollup(f: ActivityFilter) -> list[RollupRow]:
    """Measures by month and category, plus each month's total (category key None), in one pass.

    The records are first grouped by month, category and clinician (a hash aggregate, no sort of
    the records); distinct clinicians are then counted over those groups, which is much cheaper
    than COUNT(DISTINCT) over every record of twelve months.
    """
    postgres = db.engine.dialect.name == "postgresql"
    # date_trunc groups on a timestamp, far cheaper to hash than to_char's text.
    month = func.date_trunc("month", Activity.activity_on) if postgres else month_key(Activity.activity_on)
    per_clinician = (
        filtered_activities(f)
        .order_by(None)
        .with_only_columns(
            month.label("month"),
            ActivityType.category_id.label("category_id"),
            Activity.clinician_id.label("clinician_id"),
            func.count(Activity.id).label("activities"),
            func.sum(Activity.duration_minutes).label("minutes"),
            func.sum(Activity.people_reached).label("people"),
        )
        .join(ActivityType, Activity.activity_type_id == ActivityType.id)
        .group_by(month, ActivityType.category_id, Activity.clinician_id)
        .cte("per_clinician")
    )
    c = per_clinician.c
    sums = (func.sum(c.activities), func.sum(c.minutes), func.sum(c.people))
    by_category = select(c.month, c.category_id, *sums, func.count()).group_by(c.month, c.category_id)
    by_month = select(
        c.month, literal(None).label("category_id"), *sums, func.count(distinct(c.clinician_id))
    ).group_by(c.month)
    stmt = union_all(by_category, by_month).subquery()
    rows = db.session.execute(select(stmt).order_by(stmt.c.month, stmt.c.category_id))
    return [
        RollupRow(
            int(activities),
            int(minutes),
            int(people),
            int(clinicians),
            keys=(key if isinstance(key, str) else f"{key:%Y-%m}", category),
        )
        for key, category, activities, minutes, people, clinicians in rows
    ]


def _recipient_rollup(f: ActivityFilter) -> list[RollupRow]:
    """Measures by recipient type, keyed by recipient type id, in the recipient types' order.

    The link table is read only over the id range of the period's records: records arrive in date
    order, so a month's links are one short stretch of the link table's primary key, where a plain
    join would scan every link ever recorded.
    """
    live = filtered_activities(f).order_by(None)
    # "+ 0" keeps PostgreSQL from walking the primary key for MIN/MAX, filtering row by row.
    shifted = Activity.id + 0
    low, high = db.session.execute(live.with_only_columns(func.min(shifted), func.max(shifted))).one()
    if low is None:
        return []
    link = activity_recipients.c
    per_clinician = (
        live.with_only_columns(
            link.recipient_type_id.label("recipient_type_id"),
            Activity.clinician_id.label("clinician_id"),
            func.count(Activity.id).label("activities"),
            func.sum(Activity.duration_minutes).label("minutes"),
            func.sum(Activity.people_reached).label("people"),
        )
        .join(activity_recipients, link.activity_id == Activity.id)
        .where(link.activity_id.between(low, high))
        .group_by(link.recipient_type_id, Activity.clinician_id)
        .subquery()
    )
    c = per_clinician.c
    stmt = (
        select(
            RecipientType.id,
            RecipientType.label,
            func.sum(c.activities),
            func.sum(c.minutes),
            func.sum(c.people),
            func.count(),
        )
        .join(per_clinician, c.recipient_type_id == RecipientType.id)
        .group_by(RecipientType.id, RecipientType.label, RecipientType.sort_order)
        .order_by(RecipientType.sort_order, RecipientType.id)
    )
    return [
        RollupRow(int(activities), int(minutes), int(people), int(clinicians), keys=(key,), labels=(label,))
        for key, label, activities, minutes, people, clinicians in db.session.execute(stmt)
    ]


def _completeness(
    organisation: Organisation, month: date, team_type_code: str | None, team_rows: list[RollupRow]
) -> tuple[tuple[TeamCompleteness, ...], dict[str, set[int]], dict[int, str]]:
    """Each team expected to report (active, or with records), with its lock and clinician counts.

    Also returns the clinicians expected per team local id, and each team's type code by team id.
    """
    contributing = {row.keys[0]: row.clinicians for row in team_rows}
    stmt = select(Team).where(
        Team.organisation_id == organisation.id,
        or_(Team.is_active.is_(True), Team.id.in_(list(contributing))),
    )
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
        members.setdefault(int(team_id), set()).add(int(user_id))
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


@dataclass(frozen=True)
class GeneratedWorkbook:
    filename: str
    content: bytes


def generate_workbook(
    organisation: Organisation,
    month: date,
    *,
    threshold: int,
    team_type_code: str | None = None,
    action: str = "report.workbook_download",
    actor_email: str | None = None,
    generated_at: datetime | None = None,
) -> GeneratedWorkbook:
    """Build the workbook in memory and record the audit event (the caller commits)."""
    report = collect_monthly_report(
        organisation, month, team_type_code=team_type_code, generated_at=generated_at
    )
    buffer = io.BytesIO()
    build_workbook(report, buffer, threshold=threshold)
    filename = workbook_filename(organisation.ods_code, report.month, team_type_code)
    record_event(
        action,
        actor_email=actor_email,
        object_type="organisation",
        object_id=organisation.id,
        details={
            "month": f"{report.month:%Y-%m}",
            "team_type": team_type_code,
            "file": filename,
            "threshold": threshold,
        },
    )
    return GeneratedWorkbook(filename, buffer.getvalue())


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
    if not user.is_admin:
        stmt = stmt.where(Organisation.id.in_(sorted(user.commissioned_organisation_ids)))
    return list(db.session.scalars(stmt))


def _default_month() -> str:
    return f"{add_months(month_start(date.today()), -1):%Y-%m}"


class ReportForm(FlaskForm):
    """Provider, month and optional team type (a GET form: downloads change nothing but the audit log)."""

    class Meta:
        csrf = False

    organisation = SelectField(
        "Provider", coerce=int, validate_choice=False, validators=[DataRequired("Choose a provider")]
    )
    month = StringField(
        "Month",
        description="For example, 2026-04",
        validators=[DataRequired("Enter the month in the form YYYY-MM")],
    )
    team_type = SelectField("Service or team type", default="", validate_choice=False)

    def validate_month(self, field: StringField) -> None:
        try:
            month = parse_month(field.data or "")
        except ValueError:
            raise ValidationError("Enter the month in the form YYYY-MM, for example 2026-04") from None
        if month > month_start(date.today()):
            raise ValidationError("The month must not be in the future")
        field.parsed = month  # type: ignore[attr-defined]

    def validate_team_type(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:  # type: ignore[union-attr]
            raise ValidationError("Choose a service or team type from the list")


def _form(organisations: list[Organisation]) -> ReportForm:
    form = ReportForm(request.args, meta={"csrf": False})
    form.organisation.choices = [(o.id, f"{o.name} ({o.ods_code})") for o in organisations]
    form.team_type.choices = [("", "All team types")] + [
        (t.code, f"{t.code} {t.description}")
        for t in db.session.scalars(select(ServiceTeamType).order_by(ServiceTeamType.code))
    ]
    if not request.args:
        form.month.data = _default_month()
        if organisations:
            form.organisation.data = organisations[0].id
    return form


def _organisation_for(user: User, organisation_id: int) -> Organisation:
    """The organisation if the user may report on it; 404 otherwise (another's looks like no such thing)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not (user.is_admin or organisation.id in user.commissioned_organisation_ids):
        abort(404)
    return organisation


@bp.before_request
def _mark_section() -> None:
    g.nav_section = "commissioning.index"


@bp.get("/")
@require_permission(Permission.COMMISSIONER_REPORT)
def index() -> Any:
    """Pick provider, month and team type; see whether every team has locked the month."""
    organisations = reportable_organisations(current_user)
    form = _form(organisations)
    status = None
    if form.validate():
        organisation = _organisation_for(current_user, form.organisation.data)
        month = form.month.parsed  # type: ignore[attr-defined]
        status = {
            "organisation": organisation,
            "month": month,
            "month_label": format_month(month),
            "unlocked": unlocked_teams(organisation, month, form.team_type.data or None),
            "filename": workbook_filename(organisation.ods_code, month, form.team_type.data or None),
        }
    return render_template(
        "commissioning/index.html",
        form=form,
        status=status,
        organisations=organisations,
        show_errors=bool(request.args),
        can_extract=has_permission(current_user, Permission.MHSDS_EXTRACT),
    )


@dataclass(frozen=True)
class ReportRequest:
    organisation: Organisation
    month: date
    team_type: str | None


def _valid_request() -> ReportRequest | Any:
    """The checked provider, month and team type, or the page again with the errors (400)."""
    organisations = reportable_organisations(current_user)
    form = _form(organisations)
    if not form.validate():
        return render_template(
            "commissioning/index.html",
            form=form,
            status=None,
            organisations=organisations,
            show_errors=True,
            can_extract=has_permission(current_user, Permission.MHSDS_EXTRACT),
        ), 400
    organisation = _organisation_for(current_user, form.organisation.data)
    return ReportRequest(organisation, form.month.parsed, form.team_type.data or None)  # type: ignore[attr-defined]


@bp.get("/workbook")
@require_permission(Permission.COMMISSIONER_REPORT)
def workbook() -> Any:
    """Download the workbook (audited)."""
    checked = _valid_request()
    if not isinstance(checked, ReportRequest):
        return checked
    result = generate_workbook(
        checked.organisation,
        checked.month,
        team_type_code=checked.team_type,
        threshold=int(current_app.config["IW_SUPPRESSION_THRESHOLD"]),
    )
    db.session.commit()
    return send_file(
        io.BytesIO(result.content), mimetype=XLSX, as_attachment=True, download_name=result.filename
    )


def _extract_response(kind: str) -> Any:
    checked = _valid_request()
    if not isinstance(checked, ReportRequest):
        return checked
    organisation, month = checked.organisation, checked.month
    extract_name, validation_name = mhsds_extract.extract_filenames(organisation.ods_code, month)
    record_event(
        "report.mhsds_extract" if kind == "extract" else "report.mhsds_validation",
        object_type="organisation",
        object_id=organisation.id,
        details={"month": f"{month:%Y-%m}"},
    )
    db.session.commit()
    rows = mhsds_extract.extract_rows(organisation, month)
    lines: Iterator[str]
    if kind == "extract":
        lines, name = iter_csv(mhsds_extract.COLUMNS, mhsds_extract.extract_values(rows)), extract_name
    else:
        lines = iter_csv(mhsds_extract.VALIDATION_COLUMNS, mhsds_extract.validation_values(rows))
        name = validation_name
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/mhsds-extract")
@require_permission(Permission.MHSDS_EXTRACT)
def mhsds_extract_download() -> Any:
    """The MHS204 CSV for the provider's month (admins only: it holds staff identifiers)."""
    return _extract_response("extract")


@bp.get("/mhsds-validation")
@require_permission(Permission.MHSDS_EXTRACT)
def mhsds_validation_download() -> Any:
    """Rows left out of the MHS204 extract and rows likely to be queried, with the reasons."""
    return _extract_response("validation")
