"""What the capture pages show: form choices, pre-filling, list filters and the week grid.

Kept apart from ``views.py`` so that each view stays a short load -> check -> service -> respond.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from indirect_work.auth.models import User
from indirect_work.capture.duration import format_duration, parse_duration
from indirect_work.capture.forms import ActivityForm, activity_data_from_text, parse_date, parse_int
from indirect_work.capture.models import Activity
from indirect_work.capture.rules import ActivityData, check_record_unlocked
from indirect_work.capture.services import (
    MyActivitiesFilter,
    Template,
    activity_template,
    create_activity,
    default_team_id,
    delete_activity,
    favourite_template,
    get_activity_for,
    get_favourite_for,
    last_mechanism_code,
    list_activities_query,
    list_favourites,
    recent_templates,
    sum_activities,
    type_usage,
    update_activity,
    week_start,
)
from indirect_work.core.dates import add_months, month_end, month_start
from indirect_work.core.errors import Conflict, NotFound, ValidationFailed
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

PER_PAGE = 25
MOST_USED = 5


def int_or_zero(text: Any) -> int:
    try:
        return parse_int(str(text or ""), "")
    except ValueError:
        return 0


# Form choices ----------------------------------------------------------------------------------


def user_teams(user: User, activity: Activity | None = None) -> list[Team]:
    ids = set(user.clinician_team_ids)
    query = select(Team).where(Team.id.in_(ids), Team.is_active.is_(True)) if ids else None
    teams = list(db.session.scalars(query)) if query is not None else []
    if activity is not None and activity.team not in teams:
        teams.append(activity.team)
    return sorted(teams, key=lambda t: t.name)


def set_choices(form: ActivityForm, user: User, activity: Activity | None = None) -> None:
    """Teams the user belongs to, active modes and recipients (plus any the record already uses)."""
    form.team_id.choices = [("", "Select a team")] + [(str(t.id), t.name) for t in user_teams(user, activity)]
    mechanisms = list(
        db.session.scalars(select(ConsultationMechanism).order_by(ConsultationMechanism.sort_order))
    )
    keep_code = activity.consultation_mechanism_code if activity else None
    form.consultation_mechanism_code.choices = [("", "Select how")] + [
        (m.code, m.label) for m in mechanisms if m.is_active or m.code == keep_code
    ]
    keep_ids = {r.id for r in activity.recipient_types} if activity else set()
    recipients = db.session.scalars(select(RecipientType).order_by(RecipientType.sort_order))
    form.recipient_type_ids.choices = [
        (str(r.id), r.label) for r in recipients if r.is_active or r.id in keep_ids
    ]


@dataclass
class TypeGroup:
    label: str
    types: list[ActivityType]


def type_groups(user: User, activity: Activity | None = None) -> list[TypeGroup]:
    """Active types grouped by category, with the user's most used first in their own group."""
    types = list(
        db.session.scalars(
            select(ActivityType)
            .join(ActivityCategory)
            .where(ActivityType.is_active.is_(True), ActivityCategory.is_active.is_(True))
            .options(selectinload(ActivityType.category))
            .order_by(ActivityCategory.sort_order, ActivityType.sort_order, ActivityType.label)
        )
    )
    if activity is not None and activity.activity_type not in types:
        types.insert(0, activity.activity_type)
    usage = type_usage(user)
    groups: list[TypeGroup] = []
    most_used = sorted((t for t in types if usage.get(t.id)), key=lambda t: -usage[t.id])[:MOST_USED]
    if most_used:
        groups.append(TypeGroup("Your most used", most_used))
    by_category: dict[str, list[ActivityType]] = defaultdict(list)
    for activity_type in types:
        by_category[activity_type.category.label].append(activity_type)
    groups.extend(TypeGroup(label, members) for label, members in by_category.items())
    return groups


# Pre-filling -----------------------------------------------------------------------------------


def fill_from_template(form: ActivityForm, template: Template) -> None:
    form.activity_type_id.data = str(template.activity_type_id)
    if template.team_id:
        form.team_id.data = str(template.team_id)
    if template.consultation_mechanism_code:
        form.consultation_mechanism_code.data = template.consultation_mechanism_code
    form.recipient_type_ids.data = [str(i) for i in template.recipient_type_ids]
    if template.people_reached is not None:
        form.people_reached.data = str(template.people_reached)
    if template.duration_minutes:
        form.duration.data = format_duration(template.duration_minutes)


def fill_from_activity(form: ActivityForm, activity: Activity, *, include_all: bool) -> None:
    """Everything of the record; the date too when editing (a duplicate is dated today)."""
    fill_from_template(form, activity_template(activity))
    form.duration.data = format_duration(activity.duration_minutes)
    form.start_time.data = activity.start_time.strftime("%H:%M") if activity.start_time else ""
    form.service_request_id.data = activity.service_request_id or ""
    form.note.data = activity.note or ""
    if include_all:
        form.activity_on.data = activity.activity_on.isoformat()


def prefill(form: ActivityForm, user: User, args: Any) -> bool:
    """Defaults (today, usual team, last mode, one person) or a favourite, recent or duplicated record.

    Returns True when a template was applied, so the page can put the cursor in the duration.
    """
    form.activity_on.data = date.today().isoformat()
    team_id = default_team_id(user)
    form.team_id.data = str(team_id) if team_id else ""
    form.consultation_mechanism_code.data = last_mechanism_code(user) or ""
    form.people_reached.data = "1"
    try:
        if args.get("favourite"):
            fill_from_template(
                form, favourite_template(get_favourite_for(user, int_or_zero(args.get("favourite"))))
            )
            return True
        if args.get("repeat"):
            recent = activity_template(get_activity_for(user, int_or_zero(args.get("repeat"))))
            fill_from_template(form, replace(recent, duration_minutes=None))  # the duration is typed
            return True
        if args.get("duplicate"):
            fill_from_activity(
                form, get_activity_for(user, int_or_zero(args.get("duplicate"))), include_all=False
            )
            return True
    except NotFound:
        return False
    return False


# Page contexts ---------------------------------------------------------------------------------


def form_context(user: User, form: ActivityForm, activity: Activity | None = None) -> dict[str, Any]:
    groups = type_groups(user, activity)
    patient_specific = {str(t.id) for g in groups for t in g.types if t.is_patient_specific}
    return {
        "type_groups": groups,
        "patient_type_selected": (form.activity_type_id.data or "") in patient_specific,
        "format_duration": format_duration,
        "locked": check_record_unlocked(user, activity).get("activity_on", [None])[0] if activity else None,
    }


def log_context(user: User, form: ActivityForm) -> dict[str, Any]:
    today = date.today()
    start = week_start(today)
    favourites = [favourite_template(f) for f in list_favourites(user)]
    this_week = list(
        db.session.scalars(
            list_activities_query(
                user, MyActivitiesFilter(date_from=start, date_to=start + timedelta(days=6))
            )
            .order_by(None)
            .order_by(Activity.created_at.desc(), Activity.id.desc())
        )
    )
    return {
        **form_context(user, form),
        "favourites": favourites,
        "recents": recent_templates(user, exclude=favourites),
        "this_week": this_week,
        "week_totals": sum_activities(user, MyActivitiesFilter(date_from=start, date_to=today)),
        "month_totals": sum_activities(user, MyActivitiesFilter(date_from=month_start(today), date_to=today)),
    }


PERIODS = {
    "week": "This week",
    "month": "This month",
    "last-month": "Last month",
    "3-months": "Last 3 months",
    "12-months": "Last 12 months",
    "all": "All time",
    "custom": "Dates below",
}


def period_range(period: str, args: Any, today: date) -> tuple[date | None, date | None, list[str]]:
    """The dates a period means; ``custom`` reads ``from`` and ``to`` (errors returned, not raised)."""
    errors: list[str] = []
    if period == "week":
        return week_start(today), today, errors
    if period == "month":
        return month_start(today), today, errors
    if period == "last-month":
        first = add_months(month_start(today), -1)
        return first, month_end(first), errors
    if period == "3-months":
        return add_months(month_start(today), -2), today, errors
    if period == "12-months":
        return add_months(month_start(today), -11), today, errors
    if period == "custom":
        bounds: list[date | None] = []
        for name, label in (("from", "From"), ("to", "To")):
            text = (args.get(name) or "").strip()
            try:
                bounds.append(parse_date(text) if text else None)
            except ValueError as exc:
                errors.append(f"{label} date: {exc}")
                bounds.append(None)
        return bounds[0], bounds[1], errors
    return None, None, errors


def list_context(user: User, args: Any) -> dict[str, Any]:
    today = date.today()
    period = args.get("period") if args.get("period") in PERIODS else "3-months"
    date_from, date_to, errors = period_range(period, args, today)
    filters = MyActivitiesFilter(
        date_from=date_from,
        date_to=date_to,
        activity_type_id=int_or_zero(args.get("type")) or None,
        category_id=int_or_zero(args.get("category")) or None,
        team_id=int_or_zero(args.get("team")) or None,
    )
    page = db.paginate(
        list_activities_query(user, filters),
        page=max(int_or_zero(args.get("page")), 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    keep = {
        k: v
        for k, v in (
            ("period", period),
            ("type", args.get("type")),
            ("category", args.get("category")),
            ("team", args.get("team")),
            ("from", args.get("from")),
            ("to", args.get("to")),
        )
        if v
    }
    return {
        "page": page,
        "totals": sum_activities(user, filters),
        "filters": filters,
        "period": period,
        "periods": PERIODS,
        "filter_errors": errors,
        "args": keep,
        "date_from": date_from,
        "date_to": date_to,
        "categories": list(
            db.session.scalars(select(ActivityCategory).order_by(ActivityCategory.sort_order))
        ),
        "types": list(
            db.session.scalars(
                select(ActivityType)
                .join(ActivityCategory)
                .order_by(ActivityCategory.sort_order, ActivityType.sort_order)
            )
        ),
        "teams": user_teams(user),
        "format_duration": format_duration,
        "raw": {"from": args.get("from", ""), "to": args.get("to", "")},
    }


# Week grid -------------------------------------------------------------------------------------


def week_from_arg(text: str | None) -> date:
    try:
        day = parse_date(text.strip()) if text else date.today()
    except ValueError:
        day = date.today()
    return week_start(min(day, date.today()))


@dataclass
class Cell:
    day: date
    activity: Activity | None = None
    #: More than one record of this line on this day: shown, changed on the edit page only.
    others: list[Activity] = field(default_factory=list)
    text: str = ""
    error: str | None = None

    @property
    def editable(self) -> bool:
        return not self.others and self.day <= date.today()


@dataclass
class Line:
    index: int
    template: Template
    title: str
    detail: str
    cells: list[Cell]


class WeekGrid:
    """Rows are the user's usual activities (this week's, favourites, recents); columns the 7 days.

    A cell holds the minutes of the one record of that line on that day: typing a duration in an
    empty cell adds a record, changing it corrects the record, clearing it deletes the record.
    Patient-specific types need a time and a referral per record, so they stay on the log page.
    """

    def __init__(self, user: User, start: date) -> None:
        self.user = user
        self.start = start
        self.days = [start + timedelta(days=i) for i in range(7)]
        self.errors: list[str] = []
        records = list(
            db.session.scalars(
                list_activities_query(user, MyActivitiesFilter(date_from=start, date_to=self.days[-1]))
            )
        )
        templates: dict[tuple[Any, ...], Template] = {}
        by_key: dict[tuple[Any, ...], list[Activity]] = defaultdict(list)
        for activity in sorted(records, key=lambda a: a.id):
            template = activity_template(activity)
            templates.setdefault(template.key, template)
            by_key[template.key].append(activity)
        usual = [favourite_template(f) for f in list_favourites(user)] + recent_templates(
            user, limit=8, by="key"
        )
        for template in usual:
            templates.setdefault(template.key, template)
        types = (
            {
                t.id: t
                for t in db.session.scalars(
                    select(ActivityType).where(
                        ActivityType.id.in_([t.activity_type_id for t in templates.values()])
                    )
                )
            }
            if templates
            else {}
        )
        teams = {t.id: t for t in user_teams(user)}
        mechanisms = {m.code: m.label for m in db.session.scalars(select(ConsultationMechanism))}
        self.lines: list[Line] = []
        self.patient_records: list[Activity] = []
        for key, template in templates.items():
            activity_type = types.get(template.activity_type_id)
            if activity_type is None or activity_type.is_patient_specific:
                self.patient_records.extend(by_key.get(key, []))
                continue
            if not by_key.get(key) and not (activity_type.is_active and template.team_id in teams):
                continue
            cells = []
            for day in self.days:
                on_day = [a for a in by_key.get(key, []) if a.activity_on == day]
                cell = Cell(day)
                if len(on_day) == 1:
                    cell.activity = on_day[0]
                    cell.text = format_duration(on_day[0].duration_minutes)
                elif on_day:
                    cell.others = on_day
                    cell.text = format_duration(sum(a.duration_minutes for a in on_day))
                cells.append(cell)
            team = teams.get(template.team_id or 0)
            detail = ", ".join(
                x
                for x in (
                    team.name if team else "",
                    mechanisms.get(template.consultation_mechanism_code or "", ""),
                )
                if x
            )
            self.lines.append(Line(len(self.lines), template, activity_type.label, detail, cells))

    @staticmethod
    def cell_name(line: int, day_index: int) -> str:
        return f"cell-{line}-{day_index}"

    def save(self, form: MultiDict[str, str]) -> int:
        """Apply every changed cell in one unit of work; any failure raises with the cell named."""
        changes = 0
        failures: dict[str, list[str]] = {}
        for line in self.lines:
            for index, cell in enumerate(line.cells):
                name = self.cell_name(line.index, index)
                if not cell.editable or name not in form:
                    continue
                typed = form.get(name, "").strip()
                try:
                    changes += self._save_cell(line, cell, typed, int_or_zero(form.get(name + "-version")))
                except ValidationFailed as exc:
                    failures[name] = [m for messages in exc.fields.values() for m in messages] or [
                        exc.message
                    ]
        if failures:
            raise ValidationFailed(failures, message="Some days could not be saved; nothing was changed")
        return changes

    def _save_cell(self, line: Line, cell: Cell, typed: str, version: int) -> int:
        if cell.activity is None:
            if version:
                raise Conflict(
                    "A record in this week was deleted after you opened it. The week is shown "
                    "as it is now; enter your changes again."
                )
            if not typed:
                return 0
            create_activity(actor=self.user, data=self._data(line.template, cell.day, typed), source="week")
            return 1
        if not typed:
            delete_activity(actor=self.user, activity=cell.activity, expected_version=version)
            return 1
        if typed == format_duration(cell.activity.duration_minutes):
            return 0
        data = ActivityData.from_activity(cell.activity)
        try:
            data.duration_minutes = parse_duration(typed)
        except ValueError as exc:
            raise ValidationFailed({"duration_minutes": [str(exc)]}) from None
        update_activity(actor=self.user, activity=cell.activity, data=data, expected_version=version)
        return 1

    @staticmethod
    def _data(template: Template, day: date, typed: str) -> ActivityData:
        data, errors = activity_data_from_text(
            activity_type_id=str(template.activity_type_id),
            activity_on=day.isoformat(),
            duration=typed,
            team_id=str(template.team_id or ""),
            consultation_mechanism_code=template.consultation_mechanism_code,
            recipient_type_ids=[str(i) for i in template.recipient_type_ids],
            people_reached=str(template.people_reached if template.people_reached is not None else 1),
        )
        if errors:
            raise ValidationFailed(errors)
        return data

    def keep_typed(self, form: MultiDict[str, str], exc: ValidationFailed | Conflict) -> None:
        """After a failed save: show what was typed, and each cell's own error."""
        self.errors.append(exc.message)
        for line in self.lines:
            for index, cell in enumerate(line.cells):
                name = self.cell_name(line.index, index)
                if name in form:
                    cell.text = form.get(name, "")
                if name in exc.fields:
                    cell.error = exc.fields[name][0]
