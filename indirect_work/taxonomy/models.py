"""Activity categories and types, consultation mechanisms and recipient types."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indirect_work.extensions import Model

MHSDS_TARGETS = {"MHS204": "MHSDS MHS204 Indirect Activity", "LOCAL": "Local only (not in MHSDS)"}


class ActivityCategory(Model):
    """A top-level grouping of activity types (consultation, training delivered, ...)."""

    __tablename__ = "activity_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    types: Mapped[list[ActivityType]] = relationship(
        back_populates="category", order_by="ActivityType.sort_order"
    )

    def __repr__(self) -> str:
        return f"<ActivityCategory {self.code}>"


class ActivityType(Model):
    """A kind of indirect work clinicians log, with its MHSDS mapping."""

    __tablename__ = "activity_types"
    __table_args__ = (
        CheckConstraint("mhsds_target IN ('MHS204', 'LOCAL')", name="mhsds_target_known"),
        CheckConstraint(
            "snomed_concept_id IS NULL OR length(snomed_concept_id) BETWEEN 6 AND 18",
            name="snomed_concept_id_length",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("activity_categories.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Patient-specific work needs a start time and an EPR service request identifier.
    is_patient_specific: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Where the activity goes nationally: MHS204 or LOCAL (kept in local reports only).
    mhsds_target: Mapped[str] = mapped_column(String(10), default="LOCAL")
    #: SNOMED CT concept id chosen by the trust for MHS204 IndActProcedure; never invented by us.
    snomed_concept_id: Mapped[str | None] = mapped_column(String(18))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[ActivityCategory] = relationship(back_populates="types")

    def __repr__(self) -> str:
        return f"<ActivityType {self.code}>"


class ConsultationMechanism(Model):
    """CONSULTATION MECHANISM (MENTAL HEALTH), MHSDS code list an2."""

    __tablename__ = "consultation_mechanisms"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<ConsultationMechanism {self.code}>"


class RecipientType(Model):
    """Who received the work (ward staff, GP, school, family or carer, ...): a local list."""

    __tablename__ = "recipient_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<RecipientType {self.code}>"


class OutcomeOption(Model):
    """What changed because of the work, as its clinician records it: a local list (MHSDS has no item)."""

    __tablename__ = "outcome_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<OutcomeOption {self.code}>"
