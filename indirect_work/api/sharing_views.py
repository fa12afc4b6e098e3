"""API routes of a shared session: colleagues added, a co-deliverer's own time, removals.

The same services as the shared-session page (``capture/services/sharing.py``): a co-deliverer
changes only their own minutes or removes themselves; the record's creator removes anyone; a
locked month refuses both.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from indirect_work.api import schemas
from indirect_work.api.openapi import operation
from indirect_work.api.payloads import dump, json_body, load, require
from indirect_work.api.sharing_schemas import CoDeliverersAddSchema, OwnPartSchema
from indirect_work.api.views import bp
from indirect_work.capture.services import (
    CoDeliverer,
    add_co_deliverers,
    change_own_part,
    get_activity_for,
    remove_co_deliverer,
)
from indirect_work.core.errors import NotFound
from indirect_work.core.permissions import Permission


@bp.put("/activities/<int:activity_id>/my-part")
@operation(
    summary="Change your own time of a shared session",
    tag="Activities",
    body=OwnPartSchema,
    ok=(200, schemas.ActivitySchema),
    errors=(403, 404),
    description="Only a co-deliverer of the session; the rest of the record stays the creator's.",
)
def activity_own_part(activity_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    activity = get_activity_for(user, activity_id)
    fields = load(OwnPartSchema, json_body())
    change_own_part(actor=user, activity=activity, minutes=fields["minutes"])
    return dump(schemas.ActivitySchema, activity)


@bp.post("/activities/<int:activity_id>/co-deliverers")
@operation(
    summary="Add colleagues who co-delivered a session",
    tag="Activities",
    body=CoDeliverersAddSchema,
    ok=(200, schemas.ActivitySchema),
    errors=(403, 404),
    description="Only the person who logged it, until its month is locked; the same checks as on create.",
)
def activity_co_deliverers_add(activity_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    activity = get_activity_for(user, activity_id)
    fields = load(CoDeliverersAddSchema, json_body())
    wanted = [CoDeliverer(c["clinician_id"], c.get("minutes")) for c in fields["co_deliverers"]]
    add_co_deliverers(actor=user, activity=activity, wanted=wanted)
    return dump(schemas.ActivitySchema, activity)


@bp.delete("/activities/<int:activity_id>/co-deliverers/<int:clinician_id>")
@operation(
    summary="Remove a co-deliverer from a shared session",
    tag="Activities",
    ok=(204, None),
    errors=(403, 404),
    description="A co-deliverer removes themselves; the person who logged it removes anyone.",
)
def activity_co_deliverer_remove(activity_id: int, clinician_id: int) -> Any:
    user = require(Permission.ACTIVITY_LOG)
    activity = get_activity_for(user, activity_id)
    if clinician_id not in activity.co_deliverer_ids:
        raise NotFound("That colleague is not on this session")
    remove_co_deliverer(actor=user, activity=activity, clinician_id=clinician_id)
    return Response(status=204)
