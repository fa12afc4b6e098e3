"""The JSON API v1 routes: thin views over the capture services, the taxonomy and the roll-ups.

Every write goes through the capture services (the one rule set, audit events, month locks,
optimistic locking) and commits once. Errors are raised as ``DomainError`` and rendered by the
application's JSON error handler (409s here also carry the record as it now stands).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from indirect_work.api import idempotency, schemas
from indirect_work.api.aggregates import rollup_for
from indirect_work.api.auth import add_rate_headers, authenticate
from indirect_work.api.openapi import (
    INPUT_SCHEMAS,
    build_spec,
    constraints_of,
    markdown_lite,
    operation,
    operations_of,
    type_of,
)
from indirect_work.api.payloads import activity_data, caller, dump, json_body, load, query_args, require
from indirect_work.api.sharing_schemas import split_service_requests
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import set_outcomes
from indirect_work.capture.rules import EARLIEST_DATE
from indirect_work.capture.services import (
    CoDeliverer,
    create_activity,
    delete_activity,
    get_activity_for,
    update_activity,
)
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.core.permissions import (
    Permission,
    can_read_records_of,
    listed_clinician_id,
    permissions_of,
    reference_team_ids,
    reportable_organisation_ids,
)
from indirect_work.core.replica import reads_from_replica
from indirect_work.core.transactions import discard
from indirect_work.extensions import db
from indirect_work.org.models import Profession, Team
from indirect_work.reports.queries import ActivityFilter, filtered_activities
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
bp.before_request(authenticate)
bp.after_request(add_rate_headers)

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": "Any unique string per operation (a UUID is ideal). A retry with the same key and body "
    "returns the first response instead of creating a second record.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


@bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> Any:
    """409, with the record as it now stands when the conflict is about one the caller may see."""
    discard()
    error: dict[str, Any] = {"code": exc.code, "message": exc.message, "fields": exc.fields}
    current = exc.current
    if isinstance(current, Activity) and can_read_records_of(caller(), current.clinician_id):
        error["current"] = schemas.ActivitySchema().dump(current)
    return jsonify({"error": error}), 409


# The caller --------------------------------------------------------------------------------------


@bp.get("/me")
@operation(
    summary="The signed-in user: roles, teams and permissions", tag="Caller", ok=(200, schemas.MeSchema)
)
def me() -> Any:
    user = caller()
    token = g.get("api_token")
    return dump(
        schemas.MeSchema,
        {
            "id": user.id,
            "email": user.email,
            "full_name": user.full_name,
            "organisation_id": user.organisation_id,
            "profession_id": user.profession_id,
            "default_team_id": user.default_team_id,
            "roles": sorted(
                (
                    {"role": a.role, "team_id": a.team_id, "organisation_id": a.organisation_id}
                    for a in user.role_assignments
                ),
                key=lambda r: (r["role"], r["team_id"] or 0, r["organisation_id"] or 0),
            ),
            "permissions": sorted(p.value for p in permissions_of(user)),
            "clinician_team_ids": sorted(user.clinician_team_ids),
            "led_team_ids": sorted(user.led_team_ids),
            "commissioned_organisation_ids": sorted(user.commissioned_organisation_ids),
            "authenticated_by": g.get("api_auth"),
            "token": (
                {"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at}
                if token
                else None
            ),
        },
    )


# Activities --------------------------------------------------------------------------------------


@bp.get("/activities")
@operation(
    summary="List activities",
    tag="Activities",
    query=schemas.ActivityListQuerySchema,
    ok=(200, schemas.ActivityPageSchema),
    errors=(403,),
    description="The caller's own live records (admins: everyone's), newest first, then by id; "
    "with `include_deleted`, deleted ones too.",
)
def activity_list() -> Any:
    user = require(Permission.ACTIVITY_LOG)
    query = query_args(schemas.ActivityListQuerySchema)
    asked_for = query.get("clinician_id")
    clinician_id = listed_clinician_id(user, asked_for)
    f = ActivityFilter(
        start=query.get("date_from") or EARLIEST_DATE,
        end=query.get("date_to") or date.max,
        team_ids=frozenset({query["team_id"]}) if "team_id" in query else None,
        category_id=query.get("category_id"),
        activity_type_id=query.get("activity_type_id"),
        clinician_id=clinician_id,
        include_deleted=query["include_deleted"],
    )
    stmt = filtered_activities(f).options(
        selectinload(Activity.recipient_types), selectinload(Activity.activity_type)
    )
    if "updated_since" in query:
        stmt = stmt.where(Activity.updated_at >= query["updated_since"])
    if not can_read_records_of(user, asked_for):
        stmt = stmt.where(Activity.id.is_(None))  # someone else's records: none to show
    page = db.paginate(stmt, page=query["page"], per_page=query["per_page"], error_out=False, count=True)
    return dump(
        schemas.ActivityPageSchema,
        {
            "items": list(page.items),
            "page": query["page"],
            "per_page": query["per_page"],
            "total": page.total or 0,
            "pages": page.pages,
        },
    )


@bp.get("/activities/<int:activity_id>")
@operation(summary="Get one activity", tag="Activities", ok=(200, schemas.ActivitySchema), errors=(403, 404))
def activity_get(activity_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    return dump(schemas.ActivitySchema, get_activity_for(user, activity_id))


@bp.post("/activities")
@operation(
    summary="Record an activity",
    tag="Activities",
    body=schemas.ActivityCreateSchema,
    ok=(201, schemas.ActivitySchema),
    errors=(403, 409),
    headers=[IDEMPOTENCY_HEADER],
    description="Records work of the caller, checked by the same rules as the web form.",
)
def activity_create() -> Any:
    user = require(Permission.ACTIVITY_LOG)
    payload = json_body()
    key = idempotency.request_key()
    loaded = split_service_requests(load(schemas.ActivityCreateSchema, payload, partial=True))
    outcomes = loaded.pop("outcomes", None)
    colleagues = [CoDeliverer(c["clinician_id"], c.get("minutes")) for c in loaded.pop("co_deliverers", [])]
    data = activity_data(loaded)
    claim = None
    if key is not None:
        claim, replayed = idempotency.claim(user.id, key, idempotency.body_hash(payload))
        if replayed is not None:
            return replayed
    activity = create_activity(actor=user, data=data, source="api", co_deliverers=colleagues)
    if outcomes is not None:
        set_outcomes(actor=user, activity=activity, values=outcomes)
    response = dump(schemas.ActivitySchema, activity, 201)
    response.headers["Location"] = url_for("api.activity_get", activity_id=activity.id)
    if claim is not None:
        idempotency.remember(claim, response)
    return response


@bp.patch("/activities/<int:activity_id>")
@operation(
    summary="Change an activity",
    tag="Activities",
    body=schemas.ActivityUpdateSchema,
    ok=(200, schemas.ActivitySchema),
    errors=(403, 404, 409),
    description="Only the fields sent change. `version` must be the one last read, or the answer is 409. "
    "`outcomes` alone (with `version`) may be changed after the month is locked.",
)
def activity_update(activity_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    activity = get_activity_for(user, activity_id)
    fields = split_service_requests(load(schemas.ActivityUpdateSchema, json_body(), partial=True))
    if "version" not in fields:
        raise ValidationFailed({"version": ["Send the version of the record you last read"]})
    outcomes = fields.pop("outcomes", None)
    if set(fields) != {"version"} or outcomes is None:  # outcomes alone: allowed in a locked month
        data = activity_data(fields, ActivityInput.from_activity(activity))
        update_activity(actor=user, activity=activity, data=data, expected_version=fields["version"])
    if outcomes is not None:
        set_outcomes(actor=user, activity=activity, values=outcomes)
    return dump(schemas.ActivitySchema, activity)


@bp.delete("/activities/<int:activity_id>")
@operation(
    summary="Delete an activity",
    tag="Activities",
    query=schemas.DeleteQuerySchema,
    ok=(204, None),
    errors=(403, 404, 409),
    description="The record stops counting in every report; it is kept for the audit trail.",
)
def activity_delete(activity_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    activity = get_activity_for(user, activity_id)
    query = query_args(schemas.DeleteQuerySchema)
    delete_activity(actor=user, activity=activity, expected_version=query.get("version"))
    return Response(status=204)


# Reference data ----------------------------------------------------------------------------------


@bp.get("/activity-categories")
@operation(
    summary="Activity categories with their types",
    tag="Reference data",
    ok=(200, schemas.ActivityCategoryListSchema),
)
def categories() -> Any:
    rows = db.session.scalars(
        select(ActivityCategory)
        .options(selectinload(ActivityCategory.types))
        .order_by(ActivityCategory.sort_order, ActivityCategory.id)
    )
    return dump(schemas.ActivityCategoryListSchema, {"items": list(rows)})


@bp.get("/activity-types")
@operation(summary="Activity types", tag="Reference data", ok=(200, schemas.ActivityTypeListSchema))
def activity_types() -> Any:
    rows = db.session.scalars(
        select(ActivityType)
        .join(ActivityCategory)
        .order_by(ActivityCategory.sort_order, ActivityType.sort_order, ActivityType.id)
    )
    return dump(schemas.ActivityTypeListSchema, {"items": list(rows)})


@bp.get("/consultation-mechanisms")
@operation(
    summary="Consultation mechanisms (how work was delivered)",
    tag="Reference data",
    ok=(200, schemas.MechanismListSchema),
)
def mechanisms() -> Any:
    rows = db.session.scalars(
        select(ConsultationMechanism).order_by(ConsultationMechanism.sort_order, ConsultationMechanism.code)
    )
    return dump(schemas.MechanismListSchema, {"items": list(rows)})


@bp.get("/recipient-types")
@operation(
    summary="Recipient types (who received the work)",
    tag="Reference data",
    ok=(200, schemas.RecipientTypeListSchema),
)
def recipient_types() -> Any:
    rows = db.session.scalars(select(RecipientType).order_by(RecipientType.sort_order, RecipientType.id))
    return dump(schemas.RecipientTypeListSchema, {"items": list(rows)})


@bp.get("/professions")
@operation(summary="Psychological professions", tag="Reference data", ok=(200, schemas.ProfessionListSchema))
def professions() -> Any:
    rows = db.session.scalars(select(Profession).order_by(Profession.sort_order, Profession.id))
    return dump(schemas.ProfessionListSchema, {"items": list(rows)})


@bp.get("/teams")
@operation(
    summary="Teams the caller works in, leads or commissions",
    tag="Reference data",
    ok=(200, schemas.TeamListSchema),
    description="Clinicians and team leads: their own teams. Commissioners: the teams of the "
    "providers they commission. Admins: every team.",
)
def teams() -> Any:
    user = caller()
    stmt = select(Team).order_by(Team.name, Team.id)
    team_ids = reference_team_ids(user)
    if team_ids is not None:
        organisation_ids = reportable_organisation_ids(user) or set()
        stmt = stmt.where(
            or_(Team.id.in_(sorted(team_ids)), Team.organisation_id.in_(sorted(organisation_ids)))
        )
    return dump(schemas.TeamListSchema, {"items": list(db.session.scalars(stmt))})


# Aggregates --------------------------------------------------------------------------------------


@bp.get("/rollups")
@operation(
    summary="Aggregate figures (what the dashboard and the workbook use)",
    tag="Aggregates",
    query=schemas.RollupQuerySchema,
    ok=(200, schemas.RollupSchema),
    errors=(403, 404),
    description=(
        "Totals over a period, optionally grouped by up to three dimensions. What is "
        "added up depends on the caller's role: admins every record; team leads their "
        "teams; commissioners one provider they commission, with groups from fewer than "
        "the suppression threshold of distinct clinicians suppressed (all measures "
        "`null`, `suppressed: true`), and more groups hidden so that none can be worked "
        "out from the total; clinicians their own records."
    ),
)
@reads_from_replica
def rollups() -> Any:
    return dump(schemas.RollupSchema, rollup_for(caller(), query_args(schemas.RollupQuerySchema)))


# The document and its human-readable page ----------------------------------------------------------


@bp.get("/openapi.json")
@operation(summary="This OpenAPI document", tag="Documentation", public=True)
def openapi_document() -> Any:
    return jsonify(_spec())


def _spec() -> dict[str, Any]:
    spec: dict[str, Any] | None = current_app.extensions.get("iw_openapi")
    if spec is None:
        spec = current_app.extensions["iw_openapi"] = build_spec(current_app)
    return spec


@bp.get("/docs")
@operation(summary="This documentation as a web page", tag="Documentation", public=True)
def docs() -> Any:
    return render_template(
        "api/docs.html",
        spec=_spec(),
        operations=operations_of,
        markdown=markdown_lite,
        type_of=type_of,
        constraints_of=constraints_of,
        inputs=INPUT_SCHEMAS,
    )
