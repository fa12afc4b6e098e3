"""Keep the activity taxonomy: categories and types, their order, retirement and deletion.

A code is immutable once any activity (live or soft-deleted) uses it; an activity type in use can be
retired (it leaves the log form and stays on historical records and in reports) but never deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from indirect_work.admin.services import FieldErrors, add_audited, check_code, next_sort_order, update_audited
from indirect_work.admin.validators import normalise_code, snomed_concept_problems
from indirect_work.audit.services import record_event
from indirect_work.capture.models import Activity, Favourite
from indirect_work.core.errors import Conflict
from indirect_work.extensions import db
from indirect_work.taxonomy.models import MHSDS_TARGETS, ActivityCategory, ActivityType

CATEGORY_FIELDS = ("code", "label", "description")
TYPE_FIELDS = (
    "category_id",
    "code",
    "label",
    "description",
    "is_patient_specific",
    "mhsds_target",
    "snomed_concept_id",
)


def list_categories() -> list[ActivityCategory]:
    """Every category (active or retired) in display order, with its types."""
    return list(
        db.session.scalars(
            select(ActivityCategory).order_by(ActivityCategory.sort_order, ActivityCategory.id)
        )
    )


def type_in_use(activity_type: ActivityType) -> bool:
    """True when any activity, including soft-deleted ones, records this type."""
    return bool(db.session.scalar(select(exists().where(Activity.activity_type_id == activity_type.id))))


def category_in_use(category: ActivityCategory) -> bool:
    """True when any activity records a type of this category."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Activity.activity_type_id == ActivityType.id, ActivityType.category_id == category.id
                )
            )
        )
    )


def used_type_ids() -> set[int]:
    """Ids of the types any activity records (for the taxonomy page, in one query)."""
    return set(db.session.scalars(select(Activity.activity_type_id).distinct()))


def _clean_category(data: dict[str, Any], current: ActivityCategory | None) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "code": normalise_code(data.get("code")),
        "label": (data.get("label") or "").strip(),
        "description": (data.get("description") or "").strip(),
    }
    errors = FieldErrors()
    check_code(
        errors,
        ActivityCategory,
        clean["code"],
        current,
        in_use=category_in_use,
        used_by="activities already use",
    )
    if not clean["label"]:
        errors.add("label", "Enter a label")
    errors.raise_if_any()
    return clean


def create_category(data: dict[str, Any]) -> ActivityCategory:
    """Add a category at the end of the list. Raises ValidationFailed."""
    clean = _clean_category(data, None)
    order = next_sort_order(ActivityCategory.sort_order)
    category = ActivityCategory(**clean, sort_order=order, is_active=True)
    return add_audited(category, "activity_category", clean)


def update_category(category: ActivityCategory, data: dict[str, Any]) -> None:
    """Change code (only while unused), label and description. Raises ValidationFailed."""
    update_audited(
        category, _clean_category(data, category), fields=CATEGORY_FIELDS, object_type="activity_category"
    )


def _clean_type(data: dict[str, Any], current: ActivityType | None) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "category_id": data.get("category_id"),
        "code": normalise_code(data.get("code")),
        "label": (data.get("label") or "").strip(),
        "description": (data.get("description") or "").strip(),
        "is_patient_specific": bool(data.get("is_patient_specific")),
        "mhsds_target": data.get("mhsds_target") or "",
        "snomed_concept_id": (data.get("snomed_concept_id") or "").strip() or None,
    }
    errors = FieldErrors()
    if clean["category_id"] is None or db.session.get(ActivityCategory, clean["category_id"]) is None:
        errors.add("category_id", "Choose a category")
    check_code(
        errors,
        ActivityType,
        clean["code"],
        current,
        in_use=type_in_use,
        used_by="activities already use",
    )
    if not clean["label"]:
        errors.add("label", "Enter a label")
    if clean["mhsds_target"] not in MHSDS_TARGETS:
        errors.add("mhsds_target", "Choose where the activity is reported")
    if clean["snomed_concept_id"]:
        errors.add("snomed_concept_id", snomed_concept_problems(clean["snomed_concept_id"]))
    errors.raise_if_any()
    return clean


def create_type(data: dict[str, Any]) -> ActivityType:
    """Add an active activity type at the end of its category. Raises ValidationFailed."""
    clean = _clean_type(data, None)
    order = next_sort_order(ActivityType.sort_order, ActivityType.category_id == clean["category_id"])
    activity_type = ActivityType(**clean, sort_order=order, is_active=True)
    return add_audited(activity_type, "activity_type", clean)


def update_type(activity_type: ActivityType, data: dict[str, Any]) -> None:
    """Change an activity type; its code only while no activity uses it. Raises ValidationFailed."""
    clean = _clean_type(data, activity_type)
    if clean["category_id"] != activity_type.category_id:
        activity_type.sort_order = next_sort_order(
            ActivityType.sort_order, ActivityType.category_id == clean["category_id"]
        )
    update_audited(activity_type, clean, fields=TYPE_FIELDS, object_type="activity_type")


def set_active(obj: ActivityType | ActivityCategory, active: bool) -> None:
    """Retire (hide from the log form, keep on records) or reinstate a type or category."""
    if obj.is_active == active:
        return
    obj.is_active = active
    object_type = _object_type(obj)
    record_event(
        f"{object_type}.{'reinstate' if active else 'retire'}",
        object_type=object_type,
        object_id=obj.id,
        details={"code": obj.code, "is_active": [not active, active]},
    )
    db.session.flush()


def delete_type(activity_type: ActivityType) -> None:
    """Delete a type no activity or favourite uses. Raises Conflict when it is in use."""
    if type_in_use(activity_type):
        raise Conflict(
            f"{activity_type.label} is used by activities, so it cannot be deleted. "
            "Retire it instead: it leaves the form and stays on existing records."
        )
    if db.session.scalar(select(exists().where(Favourite.activity_type_id == activity_type.id))):
        raise Conflict(
            f"{activity_type.label} is saved in clinicians' favourites, so it cannot be deleted. "
            "Retire it instead."
        )
    record_event(
        "activity_type.delete",
        object_type="activity_type",
        object_id=activity_type.id,
        details={"code": activity_type.code, "label": activity_type.label},
    )
    db.session.delete(activity_type)
    db.session.flush()


def delete_category(category: ActivityCategory) -> None:
    """Delete an empty category. Raises Conflict while it still holds types."""
    if category.types:
        raise Conflict(
            f"{category.label} still holds activity types. Delete or move them first, or retire the category."
        )
    record_event(
        "activity_category.delete",
        object_type="activity_category",
        object_id=category.id,
        details={"code": category.code, "label": category.label},
    )
    db.session.delete(category)
    db.session.flush()


def move(obj: ActivityType | ActivityCategory, direction: str) -> None:
    """Move a category, or a type within its category, one place up or down."""
    siblings: list[ActivityType | ActivityCategory]
    if isinstance(obj, ActivityType):
        siblings = list(
            db.session.scalars(
                select(ActivityType)
                .where(ActivityType.category_id == obj.category_id)
                .order_by(ActivityType.sort_order, ActivityType.id)
            )
        )
    else:
        siblings = list(list_categories())
    index = siblings.index(obj)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for order, sibling in enumerate(siblings):
        sibling.sort_order = order
    object_type = _object_type(obj)
    record_event(
        f"{object_type}.reorder",
        object_type=object_type,
        object_id=obj.id,
        details={"code": obj.code, "position": [index + 1, target + 1]},
    )
    db.session.flush()


def _object_type(obj: ActivityType | ActivityCategory) -> str:
    return "activity_type" if isinstance(obj, ActivityType) else "activity_category"
