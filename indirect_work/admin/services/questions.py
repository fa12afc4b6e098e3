"""Keep the feedback question sets: wording, scale and retirement of items, new items, follow-up delay.

Editing an item never changes past answers: each answer holds the wording and scale it was given.
A set keeps 3 to 6 active items for the first link (and at most 6 for the follow-up).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from indirect_work.admin.services import FieldErrors
from indirect_work.audit.services import record_event
from indirect_work.core.inputs import bad_text
from indirect_work.extensions import db
from indirect_work.impact.models import Question, QuestionSet
from indirect_work.impact.questions import SCALES
from indirect_work.taxonomy.models import OutcomeOption

MIN_ITEMS, MAX_ITEMS = 3, 6


def _wording_problem(wording: str) -> str | None:
    if not 5 <= len(wording) <= 200:
        return "Write the question in 5 to 200 characters"
    if bad_text(wording) or any(ord(c) < 32 for c in wording):
        return "The question contains characters that cannot be stored"
    return None


def update_question_set(question_set: QuestionSet, data: dict[str, Any]) -> dict[str, Any]:
    """Apply the page's changes (``wording_<id>``, ``scale_<id>``, ``active_<id>``, ``new_*``,
    ``follow_up_days``); refuses with the field names and changes nothing when any is wrong."""
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    for question in question_set.questions:
        _edit_item(question, data, errors, changes)
    _add_item(question_set, data, errors, changes)
    days = data.get("follow_up_days")
    if days is not None and not 1 <= days <= 365:
        errors.add(
            "follow_up_days", "Enter a number of days from 1 to 365, or leave it empty for no follow-up"
        )
    elif days != question_set.follow_up_days:
        changes["follow_up_days"] = [question_set.follow_up_days, days]
        question_set.follow_up_days = days
    first = len(question_set.active_questions("first"))
    if not MIN_ITEMS <= first <= MAX_ITEMS:
        errors.add(
            "_form",
            f"Keep {MIN_ITEMS} to {MAX_ITEMS} active questions for the first link (there are {first})",
        )
    if len(question_set.active_questions("follow_up")) > MAX_ITEMS:
        errors.add("_form", f"Keep at most {MAX_ITEMS} active follow-up questions")
    errors.raise_if_any()
    db.session.flush()
    if changes:
        record_event(
            "impact.question_set_changed",
            object_type="question_set",
            object_id=question_set.id,
            details={"category_id": question_set.category_id, "changes": changes},
        )
    return changes


def _edit_item(
    question: Question, data: dict[str, Any], errors: FieldErrors, changes: dict[str, Any]
) -> None:
    wording = (data.get(f"wording_{question.id}") or "").strip()
    scale = data.get(f"scale_{question.id}") or question.scale
    problem = _wording_problem(wording)
    if problem:
        errors.add(f"wording_{question.id}", problem)
    if scale not in SCALES:
        errors.add(f"scale_{question.id}", "Choose one of the scales")
    new = {"wording": wording, "scale": scale, "is_active": bool(data.get(f"active_{question.id}"))}
    old = {"wording": question.wording, "scale": question.scale, "is_active": question.is_active}
    if new != old:
        changes[question.code] = {k: [old[k], new[k]] for k in new if new[k] != old[k]}
        for key, value in new.items():
            setattr(question, key, value)


def _add_item(
    question_set: QuestionSet, data: dict[str, Any], errors: FieldErrors, changes: dict[str, Any]
) -> None:
    wording = (data.get("new_wording") or "").strip()
    if not wording:
        return
    problem = _wording_problem(wording)
    if problem:
        errors.add("new_wording", problem)
        return
    code = f"item{len(question_set.questions) + 1}"
    question_set.questions.append(
        Question(
            stage="follow_up" if data.get("new_stage") == "follow_up" else "first",
            code=code,
            wording=wording,
            scale=data.get("new_scale") if data.get("new_scale") in SCALES else "agree5",
            sort_order=max((q.sort_order for q in question_set.questions), default=0) + 1,
        )
    )
    changes[code] = "added"


def update_outcome_options(data: dict[str, Any]) -> dict[str, Any]:
    """Rename or retire outcomes (``label_<id>``, ``active_<id>``) and add one (``new_label``).

    A retired outcome stays on the records that have it and leaves the forms; codes never change.
    """
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    options = list(db.session.scalars(select(OutcomeOption).order_by(OutcomeOption.sort_order)))
    for option in options:
        label = (data.get(f"label_{option.id}") or "").strip()
        if not 3 <= len(label) <= 120 or bad_text(label):
            errors.add(f"label_{option.id}", "Write the outcome in 3 to 120 characters")
            continue
        active = bool(data.get(f"active_{option.id}"))
        if (label, active) != (option.label, option.is_active):
            changes[option.code] = {"label": [option.label, label], "is_active": [option.is_active, active]}
            option.label, option.is_active = label, active
    new_label = (data.get("new_label") or "").strip()
    if new_label:
        code = re.sub(r"[^A-Z0-9]+", "_", new_label.upper()).strip("_")[:40]
        if not 3 <= len(new_label) <= 120 or bad_text(new_label) or not code:
            errors.add("new_label", "Write the outcome in 3 to 120 characters")
        elif any(o.code == code for o in options):
            errors.add("new_label", "There is already an outcome with that name")
        else:
            order = max((o.sort_order for o in options), default=0) + 1
            db.session.add(OutcomeOption(code=code, label=new_label, sort_order=order))
            changes[code] = "added"
    if not any(o.is_active for o in options) and not new_label:
        errors.add("_form", "Keep at least one outcome in use")
    errors.raise_if_any()
    db.session.flush()
    if changes:
        record_event("taxonomy.outcomes_changed", object_type="outcome_options", details={"changes": changes})
    return changes
