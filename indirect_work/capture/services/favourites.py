"""Favourites and recents: one-click templates that pre-fill the log form and the week grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.capture.models import Activity, Favourite
from indirect_work.core.errors import NotFound, ValidationFailed
from indirect_work.extensions import db
from indirect_work.taxonomy.models import RecipientType

MAX_FAVOURITES = 8


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
