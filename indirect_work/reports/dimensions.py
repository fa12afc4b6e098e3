"""The one registry of reporting dimensions: what figures can be grouped by, and how, in SQL.

Each dimension has its name, label, SQL (the joins, the grouping key and label, the order), the
``ActivityFilter`` field that narrows to one of its values, and its MHSDS item. The roll-up
queries, the suppression counts, the commissioner workbook, the dashboard and the API allow-lists
all read this table, so adding a dimension is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, func

from indirect_work.auth.models import User
from indirect_work.capture.counting import PARTS
from indirect_work.capture.models import Activity, activity_recipients
from indirect_work.extensions import db
from indirect_work.org.models import Profession, ServiceTeamType, Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType


class Dimension(StrEnum):
    """Names of the dimensions, in the order the API lists them."""

    CATEGORY = "category"
    ACTIVITY_TYPE = "activity_type"
    MONTH = "month"
    PROFESSION = "profession"
    TEAM = "team"
    TEAM_TYPE = "team_type"
    MECHANISM = "mechanism"
    RECIPIENT_TYPE = "recipient_type"
    PATIENT_SPECIFIC = "patient_specific"


def month_key(column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a date column, in the current database's dialect."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


@dataclass(frozen=True)
class Join:
    """A table to join from the activities; ``name`` lets two dimensions share one join."""

    name: str
    target: Any
    onclause: Any
    outer: bool = False


@dataclass(frozen=True)
class Grouping:
    """The SQL of a GROUP BY over one dimension."""

    key: Any
    label: Any
    order: tuple[Any, ...]
    #: Columns used only for ordering: they must be grouped too (PostgreSQL requires it).
    group_extra: tuple[Any, ...] = ()


@dataclass(frozen=True)
class DimensionSpec:
    """One reporting dimension."""

    dimension: Dimension
    label: str
    #: The MHSDS data item the dimension corresponds to (as the workbook's data dictionary states it).
    mhsds_item: str
    joins: tuple[Join, ...]
    #: The grouping columns, built per query (the month expression depends on the database).
    grouping: Callable[[], Grouping]
    #: The ``ActivityFilter`` field that narrows figures to one value of the dimension.
    filter_field: str | None = None
    #: The dashboard's URL parameter that narrows its figures and records to one value.
    query_param: str | None = None
    #: Position of the dimension's table in the commissioner workbook; None when not published there.
    #: The workbook's suppression covers only these, so they are the only ones a commissioner may use.
    published: int | None = None
    #: Joins and key column that count the clinicians behind some of the dimension's values (suppression).
    count_joins: tuple[Join, ...] = ()
    count_key: Any = None


#: The deliverer of each part (``capture.counting``): profession figures attribute each one's own time.
_USER = Join("user", User, PARTS.c.clinician_id == User.id)
_TEAM = Join("team", Team, Activity.team_id == Team.id)
_TYPE = Join("activity_type", ActivityType, Activity.activity_type_id == ActivityType.id)
_RECIPIENTS = Join("recipients", activity_recipients, activity_recipients.c.activity_id == Activity.id)


def _month() -> Grouping:
    month = month_key(Activity.activity_on)
    return Grouping(month, month, (month,))


def _patient_specific() -> Grouping:
    label = case(
        (ActivityType.is_patient_specific.is_(True), "Patient-specific"), else_="Not patient-specific"
    )
    return Grouping(ActivityType.is_patient_specific, label, (ActivityType.is_patient_specific.desc(),))


_SPECS = (
    DimensionSpec(
        Dimension.CATEGORY,
        "Category",
        "Local",
        (Join("category", ActivityCategory, ActivityType.category_id == ActivityCategory.id),),
        lambda: Grouping(
            ActivityCategory.id,
            ActivityCategory.label,
            (ActivityCategory.sort_order, ActivityCategory.label),
            (ActivityCategory.sort_order,),
        ),
        filter_field="category_id",
        query_param="category",
        published=1,
        count_joins=(_TYPE,),
        count_key=ActivityType.category_id,
    ),
    DimensionSpec(
        Dimension.ACTIVITY_TYPE,
        "Activity type",
        "Local; mapped to a SNOMED CT concept for CODED PROCEDURE (SNOMED CT), MHS204 IndActProcedure",
        (),
        lambda: Grouping(
            ActivityType.id,
            ActivityType.label,
            (ActivityType.sort_order, ActivityType.label),
            (ActivityType.sort_order,),
        ),
        filter_field="activity_type_id",
        query_param="activity_type",
        published=2,
        count_key=Activity.activity_type_id,
    ),
    DimensionSpec(Dimension.MONTH, "Month", "ReportingPeriodStartDate", (), _month),
    DimensionSpec(
        Dimension.PROFESSION,
        "Profession",
        "Local (national list of psychological professions)",
        (_USER, Join("profession", Profession, User.profession_id == Profession.id, outer=True)),
        lambda: Grouping(
            Profession.id,
            func.coalesce(Profession.label, "Not recorded"),
            (Profession.sort_order, Profession.label),
            (Profession.sort_order, Profession.label),
        ),
        filter_field="profession_id",
        query_param="profession",
        published=4,
        count_joins=(_USER,),
        count_key=User.profession_id,
    ),
    DimensionSpec(
        Dimension.TEAM,
        "Team",
        "CARE PROFESSIONAL TEAM LOCAL IDENTIFIER",
        (_TEAM,),
        lambda: Grouping(Team.id, Team.name, (Team.name,)),
    ),
    DimensionSpec(
        Dimension.TEAM_TYPE,
        "Team type",
        "SERVICE OR TEAM TYPE FOR MENTAL HEALTH, MHS902 ServTeamTypeMH (an3)",
        (_TEAM, Join("team_type", ServiceTeamType, Team.service_team_type_code == ServiceTeamType.code)),
        lambda: Grouping(ServiceTeamType.code, ServiceTeamType.description, (ServiceTeamType.code,)),
        filter_field="service_team_type_code",
        published=3,
        count_joins=(_TEAM,),
        count_key=Team.service_team_type_code,
    ),
    DimensionSpec(
        Dimension.MECHANISM,
        "Consultation mechanism",
        "CONSULTATION MECHANISM (MENTAL HEALTH), ConsMechanismMH (an2); not an MHS204 item",
        (
            Join(
                "mechanism",
                ConsultationMechanism,
                Activity.consultation_mechanism_code == ConsultationMechanism.code,
            ),
        ),
        lambda: Grouping(
            ConsultationMechanism.code,
            ConsultationMechanism.label,
            (ConsultationMechanism.sort_order,),
            (ConsultationMechanism.sort_order,),
        ),
        filter_field="consultation_mechanism_code",
        query_param="mechanism",
        published=5,
        count_key=Activity.consultation_mechanism_code,
    ),
    DimensionSpec(
        Dimension.RECIPIENT_TYPE,
        "Recipient type",
        "Local; the v6 item IndActPersCons (person consulted) has no published code list yet",
        (
            _RECIPIENTS,
            Join(
                "recipient_type", RecipientType, RecipientType.id == activity_recipients.c.recipient_type_id
            ),
        ),
        lambda: Grouping(
            RecipientType.id, RecipientType.label, (RecipientType.sort_order,), (RecipientType.sort_order,)
        ),
        filter_field="recipient_type_id",
        query_param="recipient",
        published=6,
        count_joins=(_RECIPIENTS,),
        count_key=activity_recipients.c.recipient_type_id,
    ),
    DimensionSpec(
        Dimension.PATIENT_SPECIFIC,
        "Patient-specific",
        "MHSDS Indirect Activity definition (support for the care of one patient, patient absent)",
        (),
        _patient_specific,
        filter_field="patient_specific",
    ),
)

#: Every dimension, in the order of :class:`Dimension`.
DIMENSIONS: dict[Dimension, DimensionSpec] = {spec.dimension: spec for spec in _SPECS}

#: The dimensions the commissioner workbook publishes (and suppresses over), in the workbook's order:
#: the only ones a commissioner may group figures by.
COMMISSIONER_DIMENSIONS: tuple[Dimension, ...] = tuple(
    spec.dimension
    for spec in sorted((s for s in _SPECS if s.published is not None), key=lambda s: s.published or 0)
)

#: Names the API accepts to group by.
DIMENSION_NAMES: tuple[str, ...] = tuple(d.value for d in DIMENSIONS)

#: ``ActivityFilter`` fields that narrow to one value of a dimension (the API passes them through).
FILTER_FIELDS: tuple[str, ...] = tuple(s.filter_field for s in _SPECS if s.filter_field is not None)
