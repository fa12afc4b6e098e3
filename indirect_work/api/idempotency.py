"""``Idempotency-Key`` on create: a retry with the same key and body gets the first answer again.

The key is claimed, with a fingerprint (SHA-256) of the request body, per user, *before* the
record is created and in the same transaction. The unique constraint on ``(user_id, key)``
decides a race: of two requests with one key, one claim is stored and the other fails at the
database, re-reads the winner's claim and answers from it, never with a record of its own body.

* Same key, same body: the stored answer again (with ``Idempotent-Replayed: true``).
* Same key, different body: always 422, because the client has mixed up two operations.
* Failed attempts are rolled back with their claim, so a client can correct the body and retry.
* After :data:`KEEP_FOR` the key is removed entirely: it then starts a new operation, and nothing
  of the old one (its record, its answer) is handed back.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from flask import Response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from indirect_work.capture.models import IdempotencyRecord
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.extensions import db

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(days=7)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
#: ``response_status`` of a claim whose answer is not stored yet (only seen inside its transaction).
PENDING = 0
REUSED_MESSAGE = "This Idempotency-Key was already used with a different request body; use a new key"


def request_key() -> str | None:
    """The client's key (printable ASCII, 1 to 255 characters), or ``None`` when not sent."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise ValidationFailed(
            {HEADER: ["The Idempotency-Key must be 1 to 255 printable characters, no spaces"]}
        )
    return key


def body_hash(payload: Any) -> str:
    """The request's fingerprint: SHA-256 of the body in canonical JSON (key order ignored)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )


def claim(user_id: int, key: str, digest: str) -> tuple[IdempotencyRecord | None, Response | None]:
    """Claim the key for this request: ``(claim, None)``, or ``(None, answer)`` when it was used.

    The answer is the stored response for the same body; a different body raises 422. An expired
    claim is deleted first, so the key starts afresh.
    """
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.created_at < utcnow() - KEEP_FOR
        )
    )
    existing = _stored(user_id, key)
    if existing is not None:
        return None, _answer(existing, digest)
    record = IdempotencyRecord(
        user_id=user_id, key=key, request_hash=digest, response_status=PENDING, response_body=""
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # A concurrent request with this key claimed it first and has committed: answer from its claim.
        existing = _stored(user_id, key)
        if existing is None:
            raise
        return None, _answer(existing, digest)
    return record, None


def _answer(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ValidationFailed(
            {HEADER: [REUSED_MESSAGE]}, message="Idempotency-Key reused with a different request"
        )
    if record.response_status == PENDING:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly")
    response = Response(record.response_body, status=record.response_status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(record: IdempotencyRecord, response: Response) -> None:
    """Store the answer on the claim (the caller's request commits it with the record it made)."""
    record.response_status = response.status_code
    record.response_body = response.get_data(as_text=True)
    db.session.flush()
