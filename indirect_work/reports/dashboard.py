"""Team dashboard: headline figures, charts with their tables, completeness, drill-down and CSV.

Every figure comes from :mod:`indirect_work.reports.queries` (GROUP BY in the database); this module
only arranges the grouped rows for the page. A lead sees the teams they lead; admins see every team.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from indirect_work.audit.services import record_event
from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.models import Activity
from indirect_work.core.dates import (
    add_months,
    format_month,
    month_end,
    month_start,
    months_between,
    parse_month,
)
from indirect_work.core.permissions import Permission, can_view_team, require_permission, visible_team_ids
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.extensions import db
from indirect_work.org.models import Profession, Team
from indirect_work.reports.queries import (
    ActivityFilter,
    Dimension,
    RollupRow,
    Totals,
    filtered_activities,
    monthly_rollup,
    previous_period,
    rollup,
    team_completeness,
    totals,
)
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

bp = Blueprint("reports", __name__, template_folder="templates")

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
PAGE_SIZE = 50


@bp.before_request
def _mark_section() -> None:
    g.nav_section = "reports.dashboard"


def get_team_for(user: User, team_id: int) -> Team:
    """The team, if the user may see its dashboard: 404 when it does not exist, 403 when not theirs."""
    team = db.session.get(Team, team_id)
    if team is None:
        abort(404)
    if not can_view_team(user, team.id):
        abort(403)
    return team


# Filters ----------------------------------------------------------------------------------------


def _month_field(label: str, hint: str) -> StringField:
    return StringField(
        label, description=hint, validators=[Optional()], filters=[lambda v: (v or "").strip()]
    )


class DashboardFilterForm(FlaskForm):
    """The period and the optional filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    FIELDS = ("start", "end", "profession", "category", "activity_type", "mechanism")

    start = _month_field("From month", "For example, 2025-12")
    end = _month_field("To month", "For example, 2026-11")
    profession = SelectField("Profession", choices=[], default="")
    category = SelectField("Category", choices=[], default="")
    activity_type = SelectField("Activity type", choices=[], default="")
    mechanism = SelectField("Consultation mechanism", choices=[], default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(request.args, *args, **kwargs)
        self.profession.choices = _choices(
            "All professions",
            db.session.execute(
                select(Profession.id, Profession.label).order_by(Profession.sort_order, Profession.label)
            ),
        )
        self.category.choices = _choices(
            "All categories",
            db.session.execute(
                select(ActivityCategory.id, ActivityCategory.label).order_by(
                    ActivityCategory.sort_order, ActivityCategory.label
                )
            ),
        )
        self.activity_type.choices = _choices(
            "All activity types",
            db.session.execute(
                select(ActivityType.id, ActivityType.label, ActivityCategory.label)
                .join(ActivityCategory)
                .order_by(ActivityCategory.sort_order, ActivityType.sort_order, ActivityType.label)
            ),
        )
        self.mechanism.choices = _choices(
            "All mechanisms",
            db.session.execute(
                select(ConsultationMechanism.code, ConsultationMechanism.label).order_by(
                    ConsultationMechanism.sort_order
                )
            ),
        )

    def validate_start(self, field: StringField) -> None:
        _check_month(field)

    def validate_end(self, field: StringField) -> None:
        _check_month(field)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then the period as a whole (in order, at most 60 months, defaults included)."""
        if not super().validate(extra_validators):
            return False
        if self.start.data and self.end.data and parse_month(self.start.data) > parse_month(self.end.data):
            self.end.errors = ["The 'to' month must be the same as or after the 'from' month"]
            return False
        if len(months_between(*self.period())) > MAX_MONTHS:
            self.start.errors = [f"Choose a period of {MAX_MONTHS} months or fewer"]
            return False
        return True

    def period(self, today: date | None = None) -> tuple[date, date]:
        """First and last day of the chosen period (default: the last 12 months, this one included)."""
        end = parse_month(self.end.data) if self.end.data else month_start(today or date.today())
        start = parse_month(self.start.data) if self.start.data else add_months(end, -(DEFAULT_MONTHS - 1))
        if start > end:  # only the 'from' month was given, after the default end
            end = add_months(start, DEFAULT_MONTHS - 1)
        return start, month_end(end)

    def activity_filter(self, team: Team) -> ActivityFilter:
        start, end = self.period()
        return ActivityFilter(
            start=start,
            end=end,
            team_ids=frozenset({team.id}),
            profession_id=_int_or_none(self.profession.data),
            category_id=_int_or_none(self.category.data),
            activity_type_id=_int_or_none(self.activity_type.data),
            consultation_mechanism_code=self.mechanism.data or None,
        )

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters (empty ones left out), for links that keep them."""
        return {f.name: str(f.data) for f in self if f.data not in (None, "")}


class RecordsFilterForm(DashboardFilterForm):
    """The dashboard filters plus the ones a chart segment can set: recipient, patient-specific, person."""

    recipient = SelectField("Recipient type", choices=[], default="")
    patient_specific = SelectField(
        "Patient-specific",
        default="",
        choices=[
            SelectChoice("", "All"),
            SelectChoice("yes", "Patient-specific only"),
            SelectChoice("no", "Not patient-specific"),
        ],
    )
    clinician = IntegerField("Clinician", validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient.choices = _choices(
            "All recipient types",
            db.session.execute(
                select(RecipientType.id, RecipientType.label).order_by(RecipientType.sort_order)
            ),
        )

    def activity_filter(self, team: Team) -> ActivityFilter:
        patient = {"yes": True, "no": False}.get(self.patient_specific.data or "")
        return replace(
            super().activity_filter(team),
            recipient_type_id=_int_or_none(self.recipient.data),
            patient_specific=patient,
            clinician_id=self.clinician.data or None,
        )


def _choices(all_label: str, rows: Iterable[Sequence[Any]]) -> list[SelectChoice]:
    """An "all" option, then one option per ``(value, label[, group])`` row."""
    options = [SelectChoice("", all_label)]
    options += [
        SelectChoice(str(row[0]), str(row[1]), optgroup=row[2] if len(row) > 2 else None) for row in rows
    ]
    return options


def _check_month(field: StringField) -> None:
    if field.data:
        try:
            parse_month(field.data)
        except ValueError:
            raise ValidationError("Enter a month in the form YYYY-MM, for example 2026-04") from None


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


# Page model -------------------------------------------------------------------------------------


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
    link: Any,
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


def build_dashboard(team: Team, form: DashboardFilterForm, today: date | None = None) -> dict[str, Any]:
    """Everything the dashboard page shows, each figure with the link to the records behind it."""
    f = form.activity_filter(team)
    args = form.query_args()
    args.setdefault("start", f.start.strftime("%Y-%m"))
    args.setdefault("end", f.end.strftime("%Y-%m"))

    base = url_for("reports.records", team_id=team.id)

    def link(**overrides: Any) -> str:
        # Hundreds of links per page: one url_for for the path, then only the query string.
        return base + "?" + urlencode({**args, **{k: str(v) for k, v in overrides.items()}})

    now, before = totals(f), totals(previous_period(f))
    by_month = monthly_rollup(f)
    charts = [
        _single_series_chart(
            "hours-by-category",
            "Hours by category",
            rollup(f, [Dimension.CATEGORY]),
            param="category",
            link=link,
        ),
        _month_chart(by_month, monthly_rollup(f, [Dimension.CATEGORY]), link),
        _single_series_chart(
            "hours-by-profession",
            "Hours by profession",
            rollup(f, [Dimension.PROFESSION]),
            param="profession",
            link=link,
            horizontal=True,
        ),
        _single_series_chart(
            "reach-by-recipient",
            "People reached by recipient type",
            rollup(f, [Dimension.RECIPIENT_TYPE]),
            param="recipient",
            link=link,
            measure="people",
            horizontal=True,
            hint="An activity with several recipient types counts under each, so these can add up to more "
            "than the total.",
        ),
    ]
    this_month = month_start(today or date.today())
    check_months = [add_months(this_month, -1), this_month]
    period_months = months_between(f.start, min(f.end, month_end(this_month)))
    states = _locks.lock_states(team.id, [*period_months, *check_months])
    history = _locks.lock_history(team.id, limit=10)
    names = _locks.user_names(
        [s.locked_by_id for s in states.values()]
        + [s.unlocked_by_id for s in states.values()]
        + [e.actor_id for e in history]
    )
    return {
        "filter": f,
        "previous": previous_period(f),
        "figures": headline_figures(now, before, link),
        "charts": charts,
        "check_months": check_months,
        "members": team_completeness(team.id, check_months),
        "lock_months": list(reversed(period_months)),
        "lock_states": states,
        "lock_history": history,
        "names": names,
        "can_lock": _locks.can_lock_team(current_user, team.id),
        "records_url": link(),
        "member_link": lambda user_id, month: link(
            start=month.strftime("%Y-%m"), end=month.strftime("%Y-%m"), clinician=user_id
        ),
    }


# Views ------------------------------------------------------------------------------------------


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
        return redirect(url_for("reports.team_dashboard", team_id=teams[0].id, **request.args))
    return render_template("reports/dashboard_index.html", teams=teams)


@bp.get("/dashboard/teams/<int:team_id>")
@require_permission(Permission.TEAM_DASHBOARD)
def team_dashboard(team_id: int) -> Any:
    """Headline figures, charts, completeness and month locks for one team."""
    team = get_team_for(current_user, team_id)
    form = DashboardFilterForm()
    if not form.validate():
        return render_template(
            "reports/dashboard.html", team=team, form=form, page=None, teams=_visible_teams()
        ), 400
    return render_template(
        "reports/dashboard.html",
        team=team,
        form=form,
        page=build_dashboard(team, form),
        teams=_visible_teams(),
        format_month=format_month,
    )


def _records_filter(team_id: int) -> tuple[Team, RecordsFilterForm, ActivityFilter | None]:
    """The team (404/403 as for the dashboard), the filter form, and its filter when the form is valid."""
    team = get_team_for(current_user, team_id)
    form = RecordsFilterForm()
    return team, form, form.activity_filter(team) if form.validate() else None


def _invalid_filters(team: Team, form: RecordsFilterForm) -> Any:
    return render_template("reports/dashboard_records.html", team=team, form=form, page=None), 400


def _clinician_name(team: Team, user_id: int | None) -> str | None:
    if not user_id:
        return None
    member = select(RoleAssignment.user_id).where(RoleAssignment.team_id == team.id)
    has_records = select(Activity.clinician_id).where(
        Activity.team_id == team.id, Activity.clinician_id == user_id
    )
    return db.session.scalar(
        select(User.full_name).where(User.id == user_id, User.id.in_(member.union(has_records)))
    )


@bp.get("/dashboard/teams/<int:team_id>/records")
@require_permission(Permission.TEAM_DASHBOARD)
def records(team_id: int) -> Any:
    """The team's records behind a figure or chart segment, with the same filters."""
    team, form, f = _records_filter(team_id)
    if f is None:
        return _invalid_filters(team, form)
    page = db.paginate(
        filtered_activities(f).options(*_record_loads()),
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
        clinician_name=_clinician_name(team, f.clinician_id),
    )


def _record_loads() -> list[Any]:
    return [
        selectinload(Activity.clinician).selectinload(User.profession),
        selectinload(Activity.activity_type).selectinload(ActivityType.category),
        selectinload(Activity.consultation_mechanism),
        selectinload(Activity.recipient_types),
    ]


CSV_HEADER = [
    "Date",
    "Start time",
    "Clinician",
    "Staff local identifier",
    "Profession",
    "Category",
    "Activity type",
    "Patient-specific",
    "Duration (minutes)",
    "Consultation mechanism",
    "Recipient types",
    "People reached",
    "Service request identifier",
    "Note",
    "Source",
    "Recorded at (UTC)",
]


def _csv_rows(f: ActivityFilter) -> Iterator[list[Any]]:
    stmt = filtered_activities(f).options(*_record_loads()).execution_options(yield_per=500)
    for a in db.session.scalars(stmt):
        clinician = a.clinician
        yield [
            a.activity_on.isoformat(),
            a.start_time.strftime("%H:%M") if a.start_time else "",
            clinician.full_name,
            clinician.staff_local_id or "",
            clinician.profession.label if clinician.profession else "",
            a.activity_type.category.label,
            a.activity_type.label,
            "Yes" if a.activity_type.is_patient_specific else "No",
            a.duration_minutes,
            a.consultation_mechanism.label,
            "; ".join(r.label for r in a.recipient_types),
            a.people_reached,
            a.service_request_id or "",
            a.note or "",
            a.source,
            a.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        ]


@bp.get("/dashboard/teams/<int:team_id>/records.csv")
@require_permission(Permission.TEAM_DASHBOARD)
def records_csv(team_id: int) -> Any:
    """The same filtered list as a CSV download (every field quoted; formulas neutralised)."""
    team, form, f = _records_filter(team_id)
    if f is None:
        return _invalid_filters(team, form)
    count = totals(f).activities
    record_event(
        "activity.export",
        object_type="team",
        object_id=team.id,
        details={"format": "csv", "rows": count, "filters": form.query_args()},
    )
    db.session.commit()
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "-", team.local_id)
    filename = f"indirect-work_{safe_id}_records_{date.today().isoformat()}.csv"
    return Response(
        stream_with_context(iter_csv(CSV_HEADER, _csv_rows(f))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


from indirect_work.reports import locks as _locks  # noqa: E402,F401  (registers the lock views on ``bp``)
