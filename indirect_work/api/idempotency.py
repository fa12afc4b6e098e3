"""``Idempotency-Key`` on create: a retry with the same key and body gets the first answer again.

The first successful response is stored with a hash of the request body, per user and key, in the
same transaction as the record it created. A retry with the same key and the same body replays it
(with ``Idempotent-Replayed: true``); the same key with a different body is refused (422), because
the client has mixed up two operations. Failed attempts are not stored, so a client can correct
the body and retry with the same key. Keys are remembered for :data:`KEEP_FOR`.

Two requests racing with one key cannot both create a record: the key also becomes the record's
``submission_token`` (unique), and the loser of the race answers with the winner's record.
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
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(days=7)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


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
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submission_token(user_id: int, key: str) -> str:
    """The record's unique ``submission_token`` for this user's key (64 characters)."""
    return hashlib.sha256(f"api:{user_id}:{key}".encode()).hexdigest()


def replay(user_id: int, key: str, digest: str) -> Response | None:
    """The stored response for this key, or ``None`` the first time; raises on a different body."""
    record = db.session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    if record is None or record.created_at < utcnow() - KEEP_FOR:
        return None
    if record.request_hash != digest:
        raise ValidationFailed(
            {HEADER: ["This Idempotency-Key was already used with a different request body; use a new key"]},
            message="Idempotency-Key reused with a different request",
        )
    response = Response(record.response_body, status=record.response_status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(user_id: int, key: str, digest: str, response: Response) -> None:
    """Store the response to replay (the caller commits it with the record)."""
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            (IdempotencyRecord.key == key) | (IdempotencyRecord.created_at < utcnow() - KEEP_FOR),
        )
    )
    try:
        with db.session.begin_nested():
            db.session.add(
                IdempotencyRecord(
                    user_id=user_id,
                    key=key,
                    request_hash=digest,
                    response_status=response.status_code,
                    response_body=response.get_data(as_text=True),
                )
            )
    except IntegrityError:
        pass  # a concurrent request with the same key stored the same answer first
