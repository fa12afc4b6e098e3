"""API fields of shared work: colleagues who co-delivered a session, several service requests."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from indirect_work.api.schema_base import StrictSchema, id_field
from indirect_work.capture.rules import MAX_MINUTES, MAX_SERVICE_REQUESTS, MIN_MINUTES


class CoDelivererInSchema(StrictSchema):
    """A colleague who delivered the session too."""

    clinician_id = id_field("A clinician of the record's team (see `GET /api/v1/me`).", required=True)
    minutes = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={
            "description": "Their own time in minutes; the session's duration when left out.",
            "minimum": MIN_MINUTES,
            "maximum": MAX_MINUTES,
        },
    )


class CoDelivererSchema(StrictSchema):
    """A co-deliverer's part of a shared session."""

    clinician_id = fields.Integer()
    minutes = fields.Integer()


class OwnPartSchema(StrictSchema):
    """A co-deliverer's own time of a shared session."""

    minutes = fields.Integer(
        strict=True,
        required=True,
        metadata={"description": "Your own time in minutes.", "minimum": MIN_MINUTES, "maximum": MAX_MINUTES},
    )


class ServiceRequestsInFields(StrictSchema):
    """Several service requests: a meeting about several patients."""

    service_request_ids = fields.List(
        fields.String(validate=validate.Length(max=40)),
        validate=validate.Length(max=MAX_SERVICE_REQUESTS + 1),
        metadata={
            "description": "Every SERVICE REQUEST IDENTIFIER the patient-specific work was about, in order "
            f"(at most {MAX_SERVICE_REQUESTS}, each once); replaces `service_request_id` when sent.",
        },
    )


class SharedInFields(StrictSchema):
    """Colleagues named when a record is created."""

    co_deliverers = fields.List(
        fields.Nested(CoDelivererInSchema),
        validate=validate.Length(max=50),
        metadata={"description": "Colleagues who delivered the same session (each one's own minutes)."},
    )


class CoDeliverersAddSchema(StrictSchema):
    """Colleagues added to a session already logged."""

    co_deliverers = fields.List(
        fields.Nested(CoDelivererInSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "Colleagues who delivered the same session (each one's own minutes)."},
    )


class SharedOutFields(StrictSchema):
    """A record's shared-work fields as the API returns them."""

    shared = fields.Boolean(attribute="is_shared", metadata={"description": "Co-delivered by colleagues."})
    co_deliverers = fields.List(fields.Nested(CoDelivererSchema))
    service_request_ids = fields.List(fields.String())


def split_service_requests(loaded: dict[str, Any]) -> dict[str, Any]:
    """``service_request_ids`` as the record's first identifier and the further ones."""
    if "service_request_ids" not in loaded:
        return loaded
    values = [v for v in loaded.pop("service_request_ids") or [] if v and v.strip()]
    return {
        **loaded,
        "service_request_id": values[0] if values else None,
        "more_service_request_ids": values[1:],
    }
