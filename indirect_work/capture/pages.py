"""What the capture pages show: form choices, pre-filling, the log page and the list with its filters.

Kept apart from ``views.py`` so that each view stays a short load -> check -> service -> respond.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indirect_work.auth.models import User
from indirect_work.capture.duration import format_duration, parse_duration
from indirect_work.capture.forms import ActivityForm, SharedPartForm
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import active_outcome_options, outcomes_of
from indirect_work.capture.parsing import parse_date
from indirect_work.capture.rules import check_record_unlocked
from indirect_work.capture.services.favourites import (
    Template,
    activity_template,
    favourite_template,
    get_favourite_for,
    list_favourites,
    recent_templates,
)
from indirect_work.capture.services.listing import (
    MyActivitiesFilter,
    default_team_id,
    get_activity_for,
    last_mechanism_code,
    list_activities_query,
    sum_activities,
    type_usage,
    week_start,
)
from indirect_work.capture.services.sharing import change_own_part, colleagues, remove_co_deliverer
from indirect_work.core.dates import add_months, month_end, month_start
from indirect_work.core.errors import NotFound, PermissionDenied, ValidationFailed
from indirect_work.core.inputs import OUT_OF_WINDOW, in_window, parse_id
from indirect_work.core.permissions import can_edit_activity
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

PER_PAGE = 25
MOST_USED = 5


def int_or_zero(text: Any) -> int:
    """An id or count from the request (bounded by the database's range), 0 for anything else."""
    return parse_id(text) or 0


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
    form.outcomes.choices = [(str(o.id), o.label) for o in active_outcome_options()]
    if activity is None:  # colleagues are named when the session is logged
        names = {t.id: t.name for t in user_teams(user)}
        form.co_deliverer_ids.choices = [
            (str(u.id), f"{u.full_name} ({', '.join(sorted(names.get(t, '') for t in teams))})")
            for u, teams in colleagues(user)
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
    form.more_service_request_ids.data = "\n".join(activity.service_request_ids[1:])
    form.note.data = activity.note or ""
    if include_all:
        form.activity_on.data = activity.activity_on.isoformat()
        form.outcomes.data = [str(o.id) for o in outcomes_of(activity.id)]


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
    }


def locked_reason(user: User, activity: Activity) -> str | None:
    """Why the record cannot be changed by this user (its month is locked), or None."""
    return check_record_unlocked(user, activity).get("activity_on", [None])[0]


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
                day = parse_date(text) if text else None
                if day is not None and not in_window(day):
                    raise ValueError(OUT_OF_WINDOW)
                bounds.append(day)
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


def change_shared_part(user: User, activity: Activity, form: SharedPartForm) -> None:
    """The shared-session page's one change: remove someone (``remove``), or the user's own time."""
    if form.remove.data:
        clinician_id = parse_id(form.remove.data)
        if clinician_id is None or clinician_id not in activity.co_deliverer_ids:
            raise ValidationFailed({"remove": ["That colleague is not on this session"]})
        remove_co_deliverer(actor=user, activity=activity, clinician_id=clinician_id)
        return
    try:
        minutes = parse_duration(form.minutes.data or "")
    except ValueError as exc:
        raise ValidationFailed({"minutes": [str(exc)]}) from None
    change_own_part(actor=user, activity=activity, minutes=minutes)


def editable_activity(user: User, activity_id: int) -> Activity:
    """A record the user may change as a whole; a co-deliverer changes only their part (403 here)."""
    activity = get_activity_for(user, activity_id)
    if not can_edit_activity(user, activity):
        raise PermissionDenied("Someone else logged this shared session: change your own part instead")
    return activity


def shared_context(user: User, activity: Activity, form: SharedPartForm) -> dict[str, Any]:
    """The shared-session page: the deliverers, and the user's own part with its time filled in."""
    part = activity.part_of(user.id)
    if part is not None and not form.minutes.data:
        form.minutes.data = format_duration(part.minutes)
    return {"form": form, "activity": activity, "part": part, "format_duration": format_duration}
