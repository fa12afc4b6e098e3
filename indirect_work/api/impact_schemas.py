"""API schemas of impact: a lead's roll-up of recipient feedback and outcomes, one activity's summary."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from indirect_work.api.schema_base import StrictSchema, id_field

DATE_MESSAGE = "Enter the date in ISO 8601 form, for example 2026-03-15"


class ImpactQuerySchema(StrictSchema):
    """One team (that the caller leads, or any for admins) over a period."""

    team_id = id_field("The team (team leads: one of the teams they lead).", query=True, required=True)
    start = fields.Date(required=True, format="iso", error_messages={"invalid": DATE_MESSAGE})
    end = fields.Date(required=True, format="iso", error_messages={"invalid": DATE_MESSAGE})

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("The end date must be the same as or after the start date", "end")


class ItemSchema(StrictSchema):
    """One question as it was asked, with the count of answers at each point of its scale."""

    code = fields.String()
    wording = fields.String()
    labels = fields.List(fields.String())
    answers = fields.Integer()
    mean = fields.Float(allow_none=True)
    distribution = fields.List(fields.Integer())


class ImpactRowSchema(StrictSchema):
    month = fields.Date(format="iso")
    category_id = fields.Integer()
    category = fields.String()
    activities_with_links = fields.Integer()
    people_reached = fields.Integer()
    responses = fields.Integer()
    response_rate = fields.Float(allow_none=True)


class CategoryItemsSchema(StrictSchema):
    category_id = fields.Integer()
    category = fields.String()
    responses = fields.Integer()
    items = fields.List(fields.Nested(ItemSchema))


class OutcomeRowSchema(StrictSchema):
    month = fields.Date(format="iso")
    code = fields.String()
    label = fields.String()
    activities = fields.Integer()


class ImpactRollupSchema(StrictSchema):
    """Month-by-month feedback per category, item means over the period, outcomes recorded."""

    team_id = fields.Integer()
    start = fields.Date(format="iso")
    end = fields.Date(format="iso")
    responses = fields.Integer()
    rows = fields.List(fields.Nested(ImpactRowSchema))
    categories = fields.List(fields.Nested(CategoryItemsSchema))
    outcomes = fields.List(fields.Nested(OutcomeRowSchema))


class FeedbackSummarySchema(StrictSchema):
    responses = fields.Integer()
    items = fields.List(fields.Nested(ItemSchema))
    free_texts = fields.List(
        fields.String(),
        metadata={
            "description": "What respondents will do differently: for the clinician and their leads only."
        },
    )


class ActivityImpactSchema(StrictSchema):
    """One activity's feedback (first links and follow-ups) and its recorded outcomes."""

    activity_id = fields.Integer()
    outcomes = fields.List(
        fields.String(), metadata={"description": "Outcome codes recorded by the clinician."}
    )
    links = fields.Integer(metadata={"description": "Feedback links opened for the activity."})
    first = fields.Nested(FeedbackSummarySchema)
    follow_up = fields.Nested(FeedbackSummarySchema)
