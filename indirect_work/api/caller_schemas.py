"""API output schema of the caller (``/api/v1/me``): roles, permissions and the token in use."""

from __future__ import annotations

from marshmallow import fields

from indirect_work.api.schema_base import StrictSchema


class RoleSchema(StrictSchema):
    role = fields.String(metadata={"enum": ["clinician", "team_lead", "commissioner", "admin"]})
    team_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)


class TokenInfoSchema(StrictSchema):
    name = fields.String()
    prefix = fields.String()
    expires_at = fields.AwareDateTime(format="iso", allow_none=True)


class MeSchema(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    organisation_id = fields.Integer(allow_none=True)
    profession_id = fields.Integer(allow_none=True)
    default_team_id = fields.Integer(allow_none=True)
    roles = fields.List(fields.Nested(RoleSchema))
    permissions = fields.List(fields.String())
    clinician_team_ids = fields.List(
        fields.Integer(), metadata={"description": "Teams the caller may log work for."}
    )
    led_team_ids = fields.List(fields.Integer())
    commissioned_organisation_ids = fields.List(fields.Integer())
    authenticated_by = fields.String(metadata={"enum": ["token", "session"]})
    token = fields.Nested(TokenInfoSchema, allow_none=True)
