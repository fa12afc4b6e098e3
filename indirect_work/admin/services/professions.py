"""Keep the list of psychological professions and their MHSDS staff group codes."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exists, select

from indirect_work.admin.services import FieldErrors, add_audited, check_code, next_sort_order, update_audited
from indirect_work.admin.validators import normalise_code
from indirect_work.auth.models import User
from indirect_work.extensions import db
from indirect_work.org.models import Profession

PROFESSION_FIELDS = ("code", "label", "group", "staff_group_code", "is_active")
_STAFF_GROUP = re.compile(r"^[0-9]{2}$")


def list_professions() -> list[Profession]:
    return list(db.session.scalars(select(Profession).order_by(Profession.sort_order, Profession.id)))


def profession_in_use(profession: Profession) -> bool:
    return bool(db.session.scalar(select(exists().where(User.profession_id == profession.id))))


def _clean(data: dict[str, Any], current: Profession | None) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "code": normalise_code(data.get("code")),
        "label": (data.get("label") or "").strip(),
        "group": (data.get("group") or "").strip(),
        "staff_group_code": (data.get("staff_group_code") or "").strip(),
        "is_active": bool(data.get("is_active", True)),
    }
    errors = FieldErrors()
    check_code(
        errors,
        Profession,
        clean["code"],
        current,
        in_use=profession_in_use,
        used_by="people already have",
    )
    if not clean["label"]:
        errors.add("label", "Enter the profession's name")
    if not clean["group"]:
        errors.add("group", "Enter the group reports put it in, for example Psychologists")
    if not _STAFF_GROUP.match(clean["staff_group_code"]):
        errors.add("staff_group_code", "Enter the 2-digit MHSDS staff group code, for example 03")
    errors.raise_if_any()
    return clean


def create_profession(data: dict[str, Any]) -> Profession:
    """Add a profession at the end of the list. Raises ValidationFailed."""
    clean = _clean(data, None)
    profession = Profession(**clean, sort_order=next_sort_order(Profession.sort_order))
    return add_audited(profession, "profession", clean)


def update_profession(profession: Profession, data: dict[str, Any]) -> None:
    """Change a profession; its code only while nobody has it. Raises ValidationFailed."""
    update_audited(profession, _clean(data, profession), fields=PROFESSION_FIELDS, object_type="profession")
