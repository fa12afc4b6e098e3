"""Marshmallow schemas of the API: separate input and output schemas; unknown fields are refused.

Input schemas only check the *shape* of what was sent (types, ISO 8601 dates). Whether the values
are acceptable (dates not in the future, durations in range, the caller's own team, no NHS number
in a note, ...) is decided by :func:`indirect_work.capture.rules.validate_activity`, the one rule set
every entry path uses, so the API and the web form refuse exactly the same records.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from indirect_work.api.caller_schemas import MeSchema as MeSchema
from indirect_work.api.caller_schemas import RoleSchema as RoleSchema
from indirect_work.api.caller_schemas import TokenInfoSchema as TokenInfoSchema
from indirect_work.api.reference_schemas import ActivityCategoryListSchema as ActivityCategoryListSchema
from indirect_work.api.reference_schemas import ActivityCategorySchema as ActivityCategorySchema
from indirect_work.api.reference_schemas import ActivityTypeListSchema as ActivityTypeListSchema
from indirect_work.api.reference_schemas import ActivityTypeRefSchema, OutcomesIn, OutcomesOut
from indirect_work.api.reference_schemas import ActivityTypeSchema as ActivityTypeSchema
from indirect_work.api.reference_schemas import CodeLabelSchema as CodeLabelSchema
from indirect_work.api.reference_schemas import MechanismListSchema as MechanismListSchema
from indirect_work.api.reference_schemas import ProfessionListSchema as ProfessionListSchema
from indirect_work.api.reference_schemas import ProfessionSchema as ProfessionSchema
from indirect_work.api.reference_schemas import RecipientTypeListSchema as RecipientTypeListSchema
from indirect_work.api.reference_schemas import RecipientTypeSchema as RecipientTypeSchema
from indirect_work.api.reference_schemas import TeamListSchema as TeamListSchema
from indirect_work.api.reference_schemas import TeamSchema as TeamSchema
from indirect_work.api.schema_base import ID as ID
from indirect_work.api.schema_base import StrictSchema, id_field
from indirect_work.api.schema_base import items_schema as items_schema
from indirect_work.api.sharing_schemas import ServiceRequestsInFields, SharedInFields, SharedOutFields
from indirect_work.capture.rules import MAX_MINUTES, MAX_NOTE, MAX_PEOPLE, MIN_MINUTES
from indirect_work.reports.dimensions import COMMISSIONER_DIMENSIONS, DIMENSION_NAMES

DATE_MESSAGE = "Enter the date in ISO 8601 form, for example 2026-03-15"
TIME_MESSAGE = "Enter the time in ISO 8601 form on the 24-hour clock, for example 14:30"
OFFSET_MESSAGE = "Send the local clock time without a UTC offset or Z, for example 14:30"


class LocalTime(fields.Time):
    """A wall-clock time: an offset (``10:00:00+05:00``, ``Z``) is refused, never silently dropped.

    The record stores the local time of the activity (MHSDS IndirectActTime has no zone), so a
    time with an offset cannot be stored as sent; the caller must say which local time it means.
    """

    default_error_messages = {"offset": OFFSET_MESSAGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is not None:
            raise self.make_error("offset")
        return result


# Activities --------------------------------------------------------------------------------------


class ActivityFieldsSchema(ServiceRequestsInFields):
    """The fields a client writes; all optional here (the rule set reports what is missing)."""

    activity_type_id = id_field("The activity type (see `GET /api/v1/activity-types`).")
    activity_on = fields.Date(
        format="iso",
        error_messages={"invalid": DATE_MESSAGE},
        metadata={"description": "INDIRECT ACTIVITY DATE. Not in the future, not in a locked month."},
    )
    duration_minutes = fields.Integer(
        strict=True,
        metadata={
            "description": "DURATION OF INDIRECT ACTIVITY in minutes.",
            "minimum": MIN_MINUTES,
            "maximum": MAX_MINUTES,
        },
    )
    team_id = id_field("One of the caller's own teams (see `GET /api/v1/me`).")
    consultation_mechanism_code = fields.String(
        metadata={
            "description": "CONSULTATION MECHANISM (MENTAL HEALTH) code "
            "(see `GET /api/v1/consultation-mechanisms`).",
            "maxLength": 2,
            "example": "01",
        }
    )
    recipient_type_ids = fields.List(
        id_field("A recipient type."),
        metadata={
            "description": "Who received the work (see `GET /api/v1/recipient-types`); at least one.",
            "minItems": 1,
        },
    )
    people_reached = fields.Integer(
        strict=True,
        metadata={
            "description": "How many people received the work. Defaults to 1 on create.",
            "minimum": 0,
            "maximum": MAX_PEOPLE,
        },
    )
    start_time = LocalTime(
        format="iso",
        allow_none=True,
        error_messages={"invalid": TIME_MESSAGE},
        metadata={
            "description": "INDIRECT ACTIVITY TIME, required for patient-specific types.",
            "example": "14:30:00",
        },
    )
    service_request_id = fields.String(
        allow_none=True,
        metadata={
            "description": "SERVICE REQUEST IDENTIFIER of the EPR referral: only for patient-specific "
            "types; letters, digits and hyphens; never an NHS number.",
            "maxLength": 20,
        },
    )
    note = fields.String(
        allow_none=True,
        metadata={
            "description": "A short note for the clinician. No patient names or NHS numbers.",
            "maxLength": MAX_NOTE,
        },
    )
    outcomes = OutcomesIn()


class ActivityCreateSchema(ActivityFieldsSchema, SharedInFields):
    """A new activity for the caller; missing required fields are a 422 with the rule set's messages."""


CREATE_EXAMPLE = {
    "activity_type_id": 3,
    "activity_on": "2026-03-15",
    "duration_minutes": 60,
    "team_id": 1,
    "consultation_mechanism_code": "01",
    "recipient_type_ids": [1],
    "people_reached": 6,
    "note": "Formulation session with the ward team",
}
#: Documented as required on create (the rule set, not the schema, enforces them).
CREATE_REQUIRED = (
    "activity_type_id",
    "activity_on",
    "duration_minutes",
    "team_id",
    "consultation_mechanism_code",
    "recipient_type_ids",
)


class ActivityUpdateSchema(ActivityFieldsSchema):
    """Changes to an activity: only the fields sent change. ``version`` is the one you last read."""

    version = fields.Integer(
        strict=True,
        required=True,
        metadata={
            "description": "The `version` of the record you last read; a newer one on the server gives 409.",
            "minimum": 1,
            "maximum": 2**31 - 1,
        },
    )


class ActivitySchema(SharedOutFields):
    """An activity record as the API returns it."""

    id = fields.Integer()
    version = fields.Integer(metadata={"description": "Send it back with a change (optimistic locking)."})
    clinician_id = fields.Integer()
    organisation_id = fields.Integer()
    team_id = fields.Integer()
    activity_type_id = fields.Integer()
    activity_type = fields.Nested(ActivityTypeRefSchema)
    activity_on = fields.Date(format="iso")
    start_time = fields.Time(format="iso", allow_none=True)
    duration_minutes = fields.Integer()
    consultation_mechanism_code = fields.String()
    recipient_type_ids = fields.Method(
        "_recipient_ids", metadata={"type": "array", "items": {"type": "integer"}}
    )
    people_reached = fields.Integer()
    service_request_id = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    outcomes = OutcomesOut()
    source = fields.String(metadata={"enum": ["web", "week", "import", "api"]})
    created_at = fields.AwareDateTime(format="iso")
    updated_at = fields.AwareDateTime(format="iso")
    deleted_at = fields.AwareDateTime(
        format="iso",
        allow_none=True,
        metadata={"description": "When the record was deleted (only records listed with `include_deleted`)."},
    )

    def _recipient_ids(self, activity: Any) -> list[int]:
        return sorted(r.id for r in activity.recipient_types)


class PageSchema(StrictSchema):
    page = fields.Integer(metadata={"description": "This page's number (from 1)."})
    per_page = fields.Integer()
    total = fields.Integer(metadata={"description": "Records matching the filters, over all pages."})
    pages = fields.Integer()


class ActivityPageSchema(PageSchema):
    items = fields.List(fields.Nested(ActivitySchema))


class ActivityListQuerySchema(StrictSchema):
    """Filters and paging of the activity list (newest first, then by id: a stable order)."""

    page = fields.Integer(
        strict=False,
        load_default=1,
        validate=validate.Range(1, 100_000),
        metadata={"description": "Page number, from 1."},
    )
    per_page = fields.Integer(
        strict=False,
        load_default=50,
        validate=validate.Range(1, 200),
        metadata={"description": "Records per page, up to 200."},
    )
    date_from = fields.Date(
        format="iso",
        error_messages={"invalid": DATE_MESSAGE},
        metadata={"description": "Activities on or after this date."},
    )
    date_to = fields.Date(
        format="iso",
        error_messages={"invalid": DATE_MESSAGE},
        metadata={"description": "Activities on or before this date."},
    )
    activity_type_id = id_field("Only this activity type.", query=True)
    category_id = id_field("Only types in this category.", query=True)
    team_id = id_field("Only this team.", query=True)
    clinician_id = id_field(
        "Admins only: one clinician's records (others only ever see their own).", query=True
    )
    updated_since = fields.AwareDateTime(
        format="iso",
        error_messages={
            "invalid": "Enter a timestamp in ISO 8601 form, for example 2026-03-15T09:00:00Z",
            "invalid_awareness": "Include the UTC offset",
        },
        metadata={
            "description": "Only records created or changed at or after this moment (with its UTC "
            "offset): for incremental loads into a warehouse."
        },
    )
    include_deleted = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Also list deleted records (with `deleted_at` set), so an incremental load "
            "sees deletions."
        },
    )


class DeleteQuerySchema(StrictSchema):
    version = fields.Integer(
        strict=False,
        validate=validate.Range(1, 2**31 - 1),
        metadata={
            "description": "The version you last read; if the record changed since, the answer is 409."
        },
    )


# Aggregates --------------------------------------------------------------------------------------


class RollupQuerySchema(StrictSchema):
    """Which activities to add up, and how to group them."""

    start = fields.Date(
        required=True,
        format="iso",
        error_messages={"invalid": DATE_MESSAGE},
        metadata={"description": "First day of the period (commissioners: the first day of a month)."},
    )
    end = fields.Date(
        required=True,
        format="iso",
        error_messages={"invalid": DATE_MESSAGE},
        metadata={
            "description": "Last day of the period, inclusive (commissioners: the same month's last day)."
        },
    )
    by = fields.List(
        fields.String(validate=validate.OneOf(DIMENSION_NAMES)),
        load_default=list,
        validate=validate.Length(max=3),
        metadata={
            "description": (
                "Up to three dimensions to group by, in order (repeat the parameter). Commissioners "
                f"may group by one of: {', '.join(COMMISSIONER_DIMENSIONS)}."
            )
        },
    )
    organisation_id = id_field("Only this provider organisation.", query=True)
    team_id = id_field("Only this team (team leads: one of the teams they lead).", query=True)
    service_team_type_code = fields.String(validate=validate.Regexp(r"^[A-Z0-9]{1,3}$"))
    profession_id = id_field("Only clinicians of this profession.", query=True)
    category_id = id_field("Only this category.", query=True)
    activity_type_id = id_field("Only this type.", query=True)
    consultation_mechanism_code = fields.String(validate=validate.Regexp(r"^[0-9A-Za-z]{1,2}$"))
    recipient_type_id = id_field("Only activities with this recipient type.", query=True)
    patient_specific = fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"})

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("The end date must be the same as or after the start date", "end")
        by = data.get("by") or []
        if len(set(by)) != len(by):
            raise ValidationError("Group by each dimension once", "by")


class MeasuresSchema(StrictSchema):
    """Measures of a group; all ``null`` when ``suppressed`` (too few clinicians to publish)."""

    activities = fields.Integer(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    hours = fields.Float(allow_none=True)
    people_reached = fields.Integer(allow_none=True)
    clinicians = fields.Integer(
        allow_none=True, metadata={"description": "Distinct clinicians contributing."}
    )
    patient_specific_minutes = fields.Integer(allow_none=True)
    suppressed = fields.Boolean()


class RollupRowSchema(MeasuresSchema):
    keys = fields.List(fields.Raw(metadata={"description": "An id, a code, `YYYY-MM` or a boolean."}))
    labels = fields.List(fields.String())


class RollupScopeSchema(StrictSchema):
    basis = fields.String(
        metadata={
            "enum": ["all", "led_teams", "commissioned_organisation", "own_records"],
            "description": "Which records the caller's role adds up.",
        }
    )
    organisation_id = fields.Integer(allow_none=True)
    team_ids = fields.List(fields.Integer(), allow_none=True)
    suppression_threshold = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Commissioners: groups built from fewer distinct clinicians are suppressed."
        },
    )
    disclosure_rounding = fields.Integer(
        allow_none=True,
        metadata={
            "description": (
                "Commissioners: every figure is rounded to the nearest multiple of this (the workbook's "
                "published figures; whole months only)."
            )
        },
    )


class RollupSchema(StrictSchema):
    start = fields.Date(format="iso")
    end = fields.Date(format="iso")
    by = fields.List(fields.String())
    scope = fields.Nested(RollupScopeSchema)
    totals = fields.Nested(MeasuresSchema)
    rows = fields.List(fields.Nested(RollupRowSchema))


# Errors ------------------------------------------------------------------------------------------


class ErrorBodySchema(StrictSchema):
    code = fields.String(
        metadata={"description": "Machine-readable: validation_failed, not_found, conflict, ..."}
    )
    message = fields.String(metadata={"description": "A sentence for people."})
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        data_key="fields",
        metadata={"description": "Field name to messages (422)."},
    )
    current = fields.Nested(
        ActivitySchema, metadata={"description": "409 on an activity: the record as it is now."}
    )


class ErrorSchema(StrictSchema):
    error = fields.Nested(ErrorBodySchema)
