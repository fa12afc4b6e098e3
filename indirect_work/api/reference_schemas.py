"""API output schemas of the reference data: activity types and categories, codes, teams, professions."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from indirect_work.api.schema_base import StrictSchema, items_schema


class ActivityTypeRefSchema(StrictSchema):
    """An activity type as shown inside an activity."""

    id = fields.Integer()
    category_id = fields.Integer()
    code = fields.String()
    label = fields.String()
    is_patient_specific = fields.Boolean(
        metadata={"description": "Needs `start_time` and `service_request_id`."}
    )


class ActivityTypeSchema(ActivityTypeRefSchema):
    """An activity type with its MHSDS mapping."""

    description = fields.String()
    mhsds_target = fields.String(metadata={"enum": ["MHS204", "LOCAL"]})
    snomed_concept_id = fields.String(allow_none=True)
    is_active = fields.Boolean(
        metadata={"description": "Retired types stay on old records; new ones cannot use them."}
    )


class ActivityCategorySchema(StrictSchema):
    id = fields.Integer()
    code = fields.String()
    label = fields.String()
    description = fields.String()
    is_active = fields.Boolean()
    types = fields.List(fields.Nested(ActivityTypeSchema))


class CodeLabelSchema(StrictSchema):
    code = fields.String()
    label = fields.String()
    is_active = fields.Boolean()


class RecipientTypeSchema(CodeLabelSchema):
    id = fields.Integer()


class TeamSchema(StrictSchema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    local_id = fields.String(metadata={"description": "CARE PROFESSIONAL TEAM LOCAL IDENTIFIER."})
    name = fields.String()
    service_team_type_code = fields.String(
        metadata={"description": "SERVICE OR TEAM TYPE FOR MENTAL HEALTH."}
    )
    is_active = fields.Boolean()


class ProfessionSchema(StrictSchema):
    id = fields.Integer()
    code = fields.String()
    label = fields.String()
    group = fields.String()
    staff_group_code = fields.String(
        metadata={"description": "CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH)."}
    )
    is_active = fields.Boolean()


ActivityTypeListSchema = items_schema("ActivityTypeListSchema", ActivityTypeSchema)
ActivityCategoryListSchema = items_schema("ActivityCategoryListSchema", ActivityCategorySchema)
MechanismListSchema = items_schema("MechanismListSchema", CodeLabelSchema)
RecipientTypeListSchema = items_schema("RecipientTypeListSchema", RecipientTypeSchema)
TeamListSchema = items_schema("TeamListSchema", TeamSchema)
ProfessionListSchema = items_schema("ProfessionListSchema", ProfessionSchema)


def _outcome_codes(activity: Any) -> list[str]:
    from indirect_work.capture.outcomes import outcomes_of  # only when an activity is written out

    return [o.code for o in outcomes_of(activity.id)]


def OutcomesIn() -> fields.Field[Any]:  # noqa: N802 - used like a field class in the activity schemas
    """What changed, as outcome codes (``GET /api/v1/outcomes``); may be changed in a locked month."""
    return fields.List(
        fields.String(validate=validate.Length(max=120)),
        validate=validate.Length(max=20),
        metadata={
            "description": "What changed because of the work: outcome codes from `GET /api/v1/outcomes`. "
            "Replaces the recorded outcomes; allowed after the month is locked.",
            "example": ["CARE_PLAN_CHANGED"],
        },
    )


def OutcomesOut() -> fields.Field[Any]:  # noqa: N802
    return fields.Function(_outcome_codes, metadata={"type": "array", "items": {"type": "string"}})


class OutcomeOptionListSchema(StrictSchema):
    items = fields.List(fields.Nested(CodeLabelSchema))
