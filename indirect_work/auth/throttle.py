"""Brute-force throttling shared by every worker: failures are rows in the database, not process memory.

A *key* names what is being attacked: ``login:<email>`` for a password, ``mfa:<user id>`` for
authenticator and recovery codes, ``api-token:<prefix>`` for API tokens. Once a key has
``IW_LOGIN_MAX_FAILURES`` failures inside ``IW_LOGIN_WINDOW_MINUTES``, every further attempt is refused
(even a correct one) until the oldest failure leaves the window. The counter is per key, never per
client address, so changing IP or forging ``X-Forwarded-For`` does not reset it.

Usage from any credential check::

    if is_throttled(key):
        ...refuse with 429...
    if not ok:
        note_failure(key)
    else:
        clear_failures(key)
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from indirect_work.auth.models import AuthFailure
from indirect_work.core.db import utcnow
from indirect_work.extensions import db


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["IW_LOGIN_WINDOW_MINUTES"])


def recent_failures(key: str) -> int:
    """Failed attempts for ``key`` within the configured window."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(AuthFailure)
            .where(AuthFailure.key == key, AuthFailure.occurred_at >= utcnow() - _window())
        )
        or 0
    )


def is_throttled(key: str) -> bool:
    """True when ``key`` has used up its failures for the window."""
    limit: int = current_app.config["IW_LOGIN_MAX_FAILURES"]
    return recent_failures(key) >= limit


def note_failure(key: str) -> None:
    """Count one failure (the caller's transaction commits it, also when the attempt is refused)."""
    db.session.add(AuthFailure(key=key[:300]))
    db.session.flush()


def clear_failures(key: str) -> None:
    """Forget the failures of ``key`` after a successful attempt."""
    db.session.execute(delete(AuthFailure).where(AuthFailure.key == key))


def retry_after_seconds() -> int:
    """How long a throttled client is told to wait (the whole window: the simplest honest answer)."""
    return int(_window().total_seconds())


def purge_expired_failures() -> int:
    """Delete failures older than the window (they no longer count); returns how many went."""
    result = db.session.execute(delete(AuthFailure).where(AuthFailure.occurred_at < utcnow() - _window()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
