"""Create, change, delete and read activity records; favourites and recents.

Every write goes through :func:`indirect_work.capture.rules.validate_activity`, writes an audit
event (structured fields only, never the note text) and flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from indirect_work.audit.models import AuditEvent
from indirect_work.audit.services import diff_fields, record_event
from indirect_work.auth.models import User
from indirect_work.capture.filters import ActivityFilter, activity_where
from indirect_work.capture.models import Activity, Favourite, activity_recipients
from indirect_work.capture.rules import ActivityData, RuleCache, check_record_unlocked, validate_activity
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import can_edit_activity
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import RecipientType

MAX_FAVOURITES = 8
#: Rows per bulk INSERT in :func:`create_many`.
BATCH_SIZE = 500


def audit_fields(activity: Activity) -> dict[str, Any]:
    """The structured fields written to the audit log (the note's text never is)."""
    return data_audit_fields(ActivityData.from_activity(activity))


def data_audit_fields(data: ActivityData) -> dict[str, Any]:
    return {
        "activity_type_id": data.activity_type_id,
        "activity_on": data.activity_on.isoformat() if data.activity_on else None,
        "start_time": data.start_time.strftime("%H:%M") if data.start_time else None,
        "duration_minutes": data.duration_minutes,
        "team_id": data.team_id,
        "consultation_mechanism_code": data.consultation_mechanism_code,
        "recipient_type_ids": list(data.recipient_type_ids),
        "people_reached": data.people_reached,
        "has_service_request_id": data.service_request_id is not None,
        "has_note": bool(data.note),
    }


def _apply(activity: Activity, data: ActivityData, cache: RuleCache | None = None) -> None:
    """Copy validated data onto the record, reusing what the rules already loaded."""
    cache = cache or RuleCache()
    with db.session.no_autoflush:  # one UPDATE (one version step) per change, not one per lookup
        team = cache.objects.get((Team, data.team_id)) or db.session.get(Team, data.team_id)
        assert team is not None  # validated
        ids = tuple(data.recipient_type_ids)
        found = cache.recipients.get(ids)
        if found is None:
            found = {
                r.id: r for r in db.session.scalars(select(RecipientType).where(RecipientType.id.in_(ids)))
            }
        _assign(activity, data, team, [found[i] for i in data.recipient_type_ids])


def _assign(activity: Activity, data: ActivityData, team: Team, recipients: list[RecipientType]) -> None:
    activity.team_id = team.id
    activity.organisation_id = team.organisation_id
    activity.activity_type_id = data.activity_type_id  # type: ignore[assignment]
    activity.activity_on = data.activity_on  # type: ignore[assignment]
    activity.start_time = data.start_time
    activity.duration_minutes = data.duration_minutes  # type: ignore[assignment]
    activity.consultation_mechanism_code = data.consultation_mechanism_code  # type: ignore[assignment]
    activity.people_reached = data.people_reached  # type: ignore[assignment]
    activity.service_request_id = data.service_request_id
    activity.note = data.note
    activity.recipient_types = recipients


def create_activity(
    *,
    actor: User,
    data: ActivityData,
    source: str = "web",
    submission_token: str | None = None,
    clinician: User | None = None,
) -> Activity:
    """Save a new record for ``clinician`` (the actor by default).

    A ``submission_token`` already used by this clinician returns that record instead of a second
    one. Raises ``ValidationFailed`` when a rule fails, ``Conflict`` when the token belongs to
    someone else's record.
    """
    clinician = clinician or actor
    if submission_token:
        existing = _by_token(submission_token)
        if existing is not None:
            return _replayed(existing, clinician)
    cache = RuleCache()
    errors = validate_activity(actor, data, clinician=clinician, cache=cache)
    if errors:
        raise ValidationFailed(errors)
    activity = Activity(
        clinician_id=clinician.id,
        source=source,
        submission_token=submission_token or None,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    _apply(activity, data, cache)
    try:
        with db.session.begin_nested():
            db.session.add(activity)
            db.session.flush()
    except IntegrityError:
        # Two requests with one token raced: the other one won, so answer with its record.
        existing = _by_token(submission_token) if submission_token else None
        if existing is None:
            raise
        return _replayed(existing, clinician)
    record_event(
        "activity.create",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={**audit_fields(activity), "source": source, "clinician_id": clinician.id},
    )
    return activity


def create_many(*, actor: User, rows: list[tuple[str, ActivityData, str | None]], source: str) -> int:
    """Create many records of the actor in one unit of work (spreadsheet import).

    ``rows`` are ``(label, data, submission_token)``. Every row is checked first; if any fails,
    ``ValidationFailed`` is raised with the messages keyed by label and nothing is added. Rows are
    then inserted in batches and detached from the session, so ten thousand rows stay fast.
    """
    cache = RuleCache()
    failures: dict[str, list[str]] = {}
    with db.session.no_autoflush:
        for label, data, _token in rows:
            errors = validate_activity(actor, data, cache=cache)
            if errors:
                failures[label] = [message for messages in errors.values() for message in messages]
    if failures:
        raise ValidationFailed(failures, message="Some rows are no longer valid, so nothing was saved")
    teams = {
        t.id: t
        for t in db.session.scalars(select(Team).where(Team.id.in_({data.team_id for _, data, _ in rows})))
    }
    for start in range(0, len(rows), BATCH_SIZE):
        _insert_batch(actor, rows[start : start + BATCH_SIZE], teams, source)
    return len(rows)


def _insert_batch(
    actor: User, rows: list[tuple[str, ActivityData, str | None]], teams: dict[int, Team], source: str
) -> None:
    """Bulk INSERTs (records, their recipients, their audit events) without per-row ORM work."""
    now = utcnow()
    values = []
    for _label, data, token in rows:
        team = teams[data.team_id]  # type: ignore[index]
        values.append(
            {
                "organisation_id": team.organisation_id,
                "team_id": team.id,
                "clinician_id": actor.id,
                "activity_type_id": data.activity_type_id,
                "activity_on": data.activity_on,
                "start_time": data.start_time,
                "duration_minutes": data.duration_minutes,
                "consultation_mechanism_code": data.consultation_mechanism_code,
                "people_reached": data.people_reached,
                "service_request_id": data.service_request_id,
                "note": data.note,
                "source": source,
                "submission_token": token,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "created_by_id": actor.id,
                "updated_by_id": actor.id,
            }
        )
    ids = list(
        db.session.scalars(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), values)
    )
    links = [
        {"activity_id": activity_id, "recipient_type_id": recipient_id}
        for activity_id, (_, data, _) in zip(ids, rows, strict=True)
        for recipient_id in data.recipient_type_ids
    ]
    if links:
        db.session.execute(insert(activity_recipients), links)
    # One event built the usual way supplies the request's address and id to all of them.
    sample = record_event("activity.create", actor=actor, object_type="activity")
    db.session.expunge(sample)
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "action": "activity.create",
                "actor_id": actor.id,
                "actor_email": actor.email,
                "object_type": "activity",
                "object_id": str(activity_id),
                "ip_address": sample.ip_address,
                "request_id": sample.request_id,
                "occurred_at": now,
                "details": {**data_audit_fields(data), "source": source, "clinician_id": actor.id},
            }
            for activity_id, (_, data, _) in zip(ids, rows, strict=True)
        ],
    )


def _by_token(token: str) -> Activity | None:
    return db.session.scalar(select(Activity).where(Activity.submission_token == token))


def _replayed(existing: Activity, clinician: User) -> Activity:
    if existing.clinician_id != clinician.id:
        raise Conflict("This form was already used. Open the log page again to add a record.")
    return existing


def update_activity(
    *, actor: User, activity: Activity, data: ActivityData, expected_version: int
) -> Activity:
    """Change a record the actor may edit, if nobody changed it since ``expected_version``.

    Raises ``Conflict`` (carrying the record as it now stands) on a stale version,
    ``ValidationFailed`` when a rule fails, ``PermissionDenied`` when it is not theirs to edit.
    """
    if not can_edit_activity(actor, activity):
        raise PermissionDenied("You can only change your own records")
    _check_version(activity, expected_version)
    cache = RuleCache()
    errors = validate_activity(actor, data, existing=activity, cache=cache)
    if errors:
        raise ValidationFailed(errors)
    before = audit_fields(activity)
    note_before = activity.note
    _apply(activity, data, cache)
    activity.updated_by_id = actor.id
    activity.updated_at = utcnow()  # always an UPDATE, so the version moves even if only recipients changed
    _flush_versioned(activity)
    changes = diff_fields(before, audit_fields(activity))
    changes.pop("has_note", None)
    if note_before != activity.note:
        changes["note_changed"] = [False, True]
    record_event(
        "activity.update",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={"changes": changes, "version": activity.version},
    )
    return activity


def delete_activity(*, actor: User, activity: Activity, expected_version: int | None = None) -> None:
    """Soft-delete a record the actor may edit (it stays for audit; reports no longer count it)."""
    if not can_edit_activity(actor, activity):
        raise PermissionDenied("You can only delete your own records")
    if expected_version is not None:
        _check_version(activity, expected_version)
    errors = check_record_unlocked(actor, activity)
    if errors:
        raise ValidationFailed(errors, message=errors["activity_on"][0])
    activity.deleted_at = utcnow()
    activity.deleted_by_id = actor.id
    activity.updated_by_id = actor.id
    _flush_versioned(activity)
    record_event(
        "activity.delete",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={
            "activity_on": activity.activity_on.isoformat(),
            "duration_minutes": activity.duration_minutes,
            "team_id": activity.team_id,
        },
    )


def _check_version(activity: Activity, expected_version: int) -> None:
    if activity.version != expected_version:
        raise Conflict(
            "Someone changed this record after you opened it. Their version is shown below; "
            "make your changes again on it.",
            current=activity,
        )


def _flush_versioned(activity: Activity) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(Activity, activity.id)
        raise Conflict(
            "Someone changed this record at the same moment. Their version is shown below.", current=current
        ) from None


# Reading ---------------------------------------------------------------------------------------


def get_activity_for(actor: User, activity_id: int) -> Activity:
    """A live record the actor may see: their own (admins: anyone's). Anything else is ``NotFound``."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.is_deleted or not (actor.is_admin or activity.clinician_id == actor.id):
        raise NotFound("That record does not exist or is not yours")
    return activity


@dataclass
class MyActivitiesFilter:
    """Filters of the "My activities" list (all optional)."""

    date_from: date | None = None
    date_to: date | None = None
    activity_type_id: int | None = None
    category_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Totals:
    count: int
    minutes: int
    people_reached: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def _filtered(actor: User, filters: MyActivitiesFilter, columns: Any) -> Select[Any]:
    """The actor's live records matching the filters, through the shared WHERE builder."""
    query = select(*columns) if isinstance(columns, tuple) else select(columns)
    shared = ActivityFilter(
        start=filters.date_from or date.min,
        end=filters.date_to or date.max,
        clinician_id=actor.id,
        team_ids=frozenset({filters.team_id}) if filters.team_id else None,
        category_id=filters.category_id or None,
        activity_type_id=filters.activity_type_id or None,
    )
    return query.where(*activity_where(shared))


def list_activities_query(actor: User, filters: MyActivitiesFilter) -> Select[Any]:
    """The actor's live records matching the filters, newest first (for ``db.paginate``)."""
    return (
        _filtered(actor, filters, Activity)
        .options(
            selectinload(Activity.recipient_types),
            selectinload(Activity.activity_type),
            selectinload(Activity.team),
            selectinload(Activity.consultation_mechanism),
        )
        .order_by(Activity.activity_on.desc(), Activity.start_time.desc(), Activity.id.desc())
    )


def sum_activities(actor: User, filters: MyActivitiesFilter) -> Totals:
    """Count, minutes and people reached of the filtered set, computed in SQL."""
    row = db.session.execute(
        _filtered(
            actor,
            filters,
            (
                func.count(Activity.id),
                func.coalesce(func.sum(Activity.duration_minutes), 0),
                func.coalesce(func.sum(Activity.people_reached), 0),
            ),
        )
    ).one()
    return Totals(int(row[0]), int(row[1]), int(row[2]))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# Favourites and recents ------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """What a favourite or a recent record pre-fills on the log form (everything but the date)."""

    label: str
    activity_type_id: int
    team_id: int | None
    consultation_mechanism_code: str | None
    recipient_type_ids: tuple[int, ...]
    people_reached: int | None
    duration_minutes: int | None = None
    favourite_id: int | None = None
    #: The record a recent template was taken from ("repeat" links pre-fill from it).
    activity_id: int | None = None

    @property
    def key(self) -> tuple[Any, ...]:
        return (
            self.activity_type_id,
            self.team_id,
            self.consultation_mechanism_code,
            self.recipient_type_ids,
            self.people_reached,
        )


def list_favourites(actor: User) -> list[Favourite]:
    return list(
        db.session.scalars(
            select(Favourite)
            .where(Favourite.user_id == actor.id)
            .options(selectinload(Favourite.activity_type))
            .order_by(Favourite.sort_order, Favourite.id)
        )
    )


def favourite_template(favourite: Favourite) -> Template:
    codes = [c for c in (favourite.recipient_codes or "").split(",") if c]
    ids = (
        tuple(sorted(db.session.scalars(select(RecipientType.id).where(RecipientType.code.in_(codes)))))
        if codes
        else ()
    )
    return Template(
        favourite.label,
        favourite.activity_type_id,
        favourite.team_id,
        favourite.consultation_mechanism_code,
        ids,
        favourite.people_reached,
        favourite.duration_minutes,
        favourite.id,
    )


def activity_template(activity: Activity) -> Template:
    return Template(
        activity.activity_type.label,
        activity.activity_type_id,
        activity.team_id,
        activity.consultation_mechanism_code,
        tuple(sorted(r.id for r in activity.recipient_types)),
        activity.people_reached,
        activity.duration_minutes,
        activity_id=activity.id,
    )


def recent_templates(
    actor: User, *, limit: int = 5, exclude: list[Template] | None = None, by: str = "type"
) -> list[Template]:
    """The actor's most recent distinct activities, newest first.

    ``by="type"`` gives one button per activity type and team (what the log page shows, so two
    buttons never read the same); ``by="key"`` one per full template (type, team, mode, recipients,
    reach), as the week grid needs. Templates in ``exclude`` (the favourites) are left out.
    """

    def distinct(template: Template) -> tuple[Any, ...]:
        return template.key if by == "key" else (template.activity_type_id, template.team_id)

    seen = {distinct(t) for t in exclude or ()}
    found: list[Template] = []
    recent = db.session.scalars(
        select(Activity)
        .where(Activity.clinician_id == actor.id, Activity.deleted_at.is_(None))
        .options(selectinload(Activity.recipient_types), selectinload(Activity.activity_type))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(60)
    )
    for activity in recent:
        template = activity_template(activity)
        if distinct(template) in seen or not activity.activity_type.is_active:
            continue
        seen.add(distinct(template))
        found.append(template)
        if len(found) >= limit:
            break
    return found


def add_favourite(*, actor: User, activity: Activity) -> Favourite:
    """Star a record: its type, team, mode, recipients and reach become a one-click favourite."""
    if activity.clinician_id != actor.id:
        raise NotFound("That record does not exist or is not yours")
    favourites = list_favourites(actor)
    template = activity_template(activity)
    for favourite in favourites:
        if favourite_template(favourite).key == template.key:
            return favourite
    if len(favourites) >= MAX_FAVOURITES:
        raise ValidationFailed(
            {
                "favourite": [
                    f"You can keep up to {MAX_FAVOURITES} favourites. Remove one before adding another"
                ]
            },
            message=f"You can keep up to {MAX_FAVOURITES} favourites. Remove one before adding another.",
        )
    favourite = Favourite(
        user_id=actor.id,
        label=activity.activity_type.label[:120],
        activity_type_id=activity.activity_type_id,
        team_id=activity.team_id,
        consultation_mechanism_code=activity.consultation_mechanism_code,
        recipient_codes=",".join(r.code for r in activity.recipient_types),
        people_reached=activity.people_reached,
        duration_minutes=None,
        sort_order=(max((f.sort_order for f in favourites), default=0) + 1),
    )
    db.session.add(favourite)
    db.session.flush()
    record_event(
        "favourite.create",
        actor=actor,
        object_type="favourite",
        object_id=favourite.id,
        details={"activity_type_id": favourite.activity_type_id, "team_id": favourite.team_id},
    )
    return favourite


def get_favourite_for(actor: User, favourite_id: int) -> Favourite:
    favourite = db.session.get(Favourite, favourite_id)
    if favourite is None or favourite.user_id != actor.id:
        raise NotFound("That favourite does not exist")
    return favourite


def remove_favourite(*, actor: User, favourite: Favourite) -> None:
    if favourite.user_id != actor.id:
        raise NotFound("That favourite does not exist")
    record_event(
        "favourite.delete",
        actor=actor,
        object_type="favourite",
        object_id=favourite.id,
        details={"activity_type_id": favourite.activity_type_id},
    )
    db.session.delete(favourite)
    db.session.flush()


def last_mechanism_code(actor: User) -> str | None:
    """The mode of the actor's most recent record: the form's default."""
    return db.session.scalar(
        select(Activity.consultation_mechanism_code)
        .where(Activity.clinician_id == actor.id)
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(1)
    )


def default_team_id(actor: User) -> int | None:
    teams = actor.clinician_team_ids
    if actor.default_team_id in teams:
        return actor.default_team_id
    return min(teams) if teams else None


def type_usage(actor: User, *, days: int = 180) -> dict[int, int]:
    """How often the actor used each type recently, for "most used first" in the type list."""
    since = date.today() - timedelta(days=days)
    rows = db.session.execute(
        select(Activity.activity_type_id, func.count())
        .where(
            Activity.clinician_id == actor.id, Activity.deleted_at.is_(None), Activity.activity_on >= since
        )
        .group_by(Activity.activity_type_id)
    )
    return {int(type_id): int(count) for type_id, count in rows}
