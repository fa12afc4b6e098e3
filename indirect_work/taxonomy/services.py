"""Load the reference data and default taxonomy; read the taxonomy for forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from indirect_work.extensions import db
from indirect_work.org.models import Profession, ServiceTeamType
from indirect_work.taxonomy import reference_data as ref
from indirect_work.taxonomy.models import (
    ActivityCategory,
    ActivityType,
    ConsultationMechanism,
    OutcomeOption,
    RecipientType,
)


@dataclass
class LoadSummary:
    added: int = 0

    def __str__(self) -> str:
        return f"{self.added} reference rows added"


def load_reference_data() -> LoadSummary:
    """Insert the code lists, professions, default taxonomy and outcome rows that are missing.

    Existing rows are left as they are (admins' edits survive a re-run); flushes, the caller commits.
    """
    summary = LoadSummary()

    def add(obj: object) -> None:
        db.session.add(obj)
        summary.added += 1

    have = set(db.session.scalars(select(ServiceTeamType.code)))
    for code, description, active in ref.SERVICE_TEAM_TYPES:
        if code not in have:
            add(ServiceTeamType(code=code, description=description, is_active=active))

    have = set(db.session.scalars(select(ConsultationMechanism.code)))
    for order, (code, label) in enumerate(ref.CONSULTATION_MECHANISMS):
        if code not in have:
            add(ConsultationMechanism(code=code, label=label, sort_order=order))

    have = set(db.session.scalars(select(Profession.code)))
    for order, (code, label, group, staff_group) in enumerate(ref.PROFESSIONS):
        if code not in have:
            add(
                Profession(
                    code=code, label=label, group=group, staff_group_code=staff_group, sort_order=order
                )
            )

    have = set(db.session.scalars(select(RecipientType.code)))
    for order, (code, label) in enumerate(ref.RECIPIENT_TYPES):
        if code not in have:
            add(RecipientType(code=code, label=label, sort_order=order))

    _load_outcome_options(add)
    categories = {c.code: c for c in db.session.scalars(select(ActivityCategory))}
    type_codes = set(db.session.scalars(select(ActivityType.code)))
    for c_order, (c_code, c_label, c_description, types) in enumerate(ref.TAXONOMY):
        category = categories.get(c_code)
        if category is None:
            category = ActivityCategory(
                code=c_code, label=c_label, description=c_description, sort_order=c_order
            )
            add(category)
        for t_order, (t_code, t_label, t_description, patient_specific, target) in enumerate(types):
            if t_code not in type_codes:
                add(
                    ActivityType(
                        category=category,
                        code=t_code,
                        label=t_label,
                        description=t_description,
                        is_patient_specific=patient_specific,
                        mhsds_target=target,
                        sort_order=t_order,
                    )
                )
    db.session.flush()
    return summary


def _load_outcome_options(add: Callable[[object], None]) -> None:
    have = set(db.session.scalars(select(OutcomeOption.code)))
    for order, (code, label) in enumerate(ref.OUTCOME_OPTIONS):
        if code not in have:
            add(OutcomeOption(code=code, label=label, sort_order=order))


def active_types() -> list[ActivityType]:
    """Active types in active categories, in category then type order."""
    return list(
        db.session.scalars(
            select(ActivityType)
            .join(ActivityCategory)
            .where(ActivityType.is_active.is_(True), ActivityCategory.is_active.is_(True))
            .order_by(ActivityCategory.sort_order, ActivityType.sort_order, ActivityType.label)
        )
    )
