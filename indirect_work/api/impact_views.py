"""API routes of impact: the outcome list, a lead's roll-up and one activity's feedback summary.

Routes are added to the API blueprint (``views.bp``); ``api.register`` imports this module before
registering it. Visibility is ``core.permissions``: roll-ups for the teams the caller may see,
an activity's summary (free text included) for its clinician, their leads and admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from indirect_work.api import impact_schemas as schemas
from indirect_work.api.openapi import operation
from indirect_work.api.payloads import caller, dump, query_args, require
from indirect_work.api.reference_schemas import OutcomeOptionListSchema
from indirect_work.api.views import bp
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import outcomes_of
from indirect_work.core.errors import NotFound, PermissionDenied
from indirect_work.core.permissions import Permission, can_read_feedback, can_view_team
from indirect_work.extensions import db
from indirect_work.impact import queries
from indirect_work.impact.rollups import Scope, impact_for
from indirect_work.taxonomy.models import OutcomeOption


@bp.get("/outcomes")
@operation(
    summary="Outcomes (what changed) a clinician can record",
    tag="Reference data",
    ok=(200, OutcomeOptionListSchema),
)
def outcome_options() -> Any:
    rows = db.session.scalars(select(OutcomeOption).order_by(OutcomeOption.sort_order, OutcomeOption.id))
    return dump(OutcomeOptionListSchema, {"items": list(rows)})


@bp.get("/impact")
@operation(
    summary="Impact roll-up of a team",
    tag="Impact",
    query=schemas.ImpactQuerySchema,
    ok=(200, schemas.ImpactRollupSchema),
    errors=(403, 422),
    description="Feedback responses, response rate and item means by category, and the outcomes "
    "clinicians recorded, month by month, for a team the caller leads (admins: any team). "
    "Free text is never in a roll-up.",
)
def impact_rollup() -> Any:
    user = require(Permission.TEAM_DASHBOARD)
    query = query_args(schemas.ImpactQuerySchema)
    if not can_view_team(user, query["team_id"]):
        raise PermissionDenied("You do not lead that team")
    impact = impact_for(Scope(start=query["start"], end=query["end"], team_ids=frozenset({query["team_id"]})))
    body = {
        "team_id": query["team_id"],
        "start": query["start"],
        "end": query["end"],
        "responses": impact.responses,
        "rows": impact.rows,
        "categories": impact.categories,
        "outcomes": impact.outcomes,
    }
    return dump(schemas.ImpactRollupSchema, body)


@bp.get("/activities/<int:activity_id>/impact")
@operation(
    summary="Feedback and outcomes of one activity",
    tag="Impact",
    ok=(200, schemas.ActivityImpactSchema),
    errors=(404,),
    description="For the activity's clinician, the leads of its team and admins; includes what "
    "respondents wrote they will do differently.",
)
def activity_impact(activity_id: int) -> Any:
    user = caller()
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_read_feedback(user, activity):
        raise NotFound("That record does not exist or is not yours")
    body = {
        "activity_id": activity.id,
        "outcomes": [o.code for o in outcomes_of(activity.id)],
        "links": len(queries.links_of(activity.id)),
        "first": queries.activity_feedback(activity.id, "first"),
        "follow_up": queries.activity_feedback(activity.id, "follow_up"),
    }
    return dump(schemas.ActivityImpactSchema, body)
