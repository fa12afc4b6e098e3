"""What changed because of an activity, as its clinician records it ("care plan changed", ...).

An outcome is known only later, so it can be recorded or changed after the month is locked: it
is about what the work led to, not the record of the work. Every change is audited. The same
function serves the log form, the record's feedback page, the importer and the API.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select

from indirect_work.audit.services import record_event
from indirect_work.capture.models import Activity, activity_outcomes
from indirect_work.core.errors import PermissionDenied, ValidationFailed
from indirect_work.core.permissions import Principal, can_manage_feedback
from indirect_work.extensions import db
from indirect_work.taxonomy.models import OutcomeOption

UNKNOWN_OUTCOME = "Choose outcomes from the list ({known})"


def active_outcome_options() -> list[OutcomeOption]:
    return list(
        db.session.scalars(
            select(OutcomeOption).where(OutcomeOption.is_active.is_(True)).order_by(OutcomeOption.sort_order)
        )
    )


def outcomes_of(activity_id: int) -> list[OutcomeOption]:
    return list(
        db.session.scalars(
            select(OutcomeOption)
            .join(activity_outcomes, activity_outcomes.c.outcome_option_id == OutcomeOption.id)
            .where(activity_outcomes.c.activity_id == activity_id)
            .order_by(OutcomeOption.sort_order)
        )
    )


def resolve_outcomes(values: Iterable[str | int], field: str = "outcomes") -> list[OutcomeOption]:
    """Options named by id, code or label (case-insensitive); an unknown or retired one is refused."""
    options = active_outcome_options()
    by_key: dict[str, OutcomeOption] = {}
    for option in options:
        by_key[str(option.id)] = by_key[option.code.lower()] = by_key[option.label.lower()] = option
    chosen: list[OutcomeOption] = []
    for value in values:
        key = str(value).strip().lower()
        if not key:
            continue
        found = by_key.get(key)
        if found is None:
            known = ", ".join(o.code for o in options)
            raise ValidationFailed({field: [UNKNOWN_OUTCOME.format(known=known)]})
        if found not in chosen:
            chosen.append(found)
    return chosen


def set_outcomes(
    *, actor: Principal, activity: Activity, values: Iterable[str | int], field: str = "outcomes"
) -> list[OutcomeOption]:
    """Replace the activity's outcomes (month locks do not apply; audited when anything changes)."""
    if not can_manage_feedback(actor, activity):
        raise PermissionDenied("Only the clinician who logged the work can record what changed")
    chosen = resolve_outcomes(values, field)
    before = [o.code for o in outcomes_of(activity.id)]
    after = [o.code for o in chosen]
    if sorted(before) == sorted(after):
        return chosen
    db.session.execute(delete(activity_outcomes).where(activity_outcomes.c.activity_id == activity.id))
    if chosen:
        db.session.execute(
            insert(activity_outcomes),
            [{"activity_id": activity.id, "outcome_option_id": o.id} for o in chosen],
        )
    db.session.flush()
    record_event(
        "activity.outcomes_changed",
        actor=actor,
        object_type="activity",
        object_id=activity.id,
        details={"outcomes": [sorted(before), sorted(after)]},
    )
    return chosen
