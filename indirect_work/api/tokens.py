"""Personal API tokens: made on the account page, shown once, stored as a SHA-256 hash.

A token is ``iw_`` followed by 43 random URL-safe characters (256 bits). Only its hash and its first
characters (to tell tokens apart) are kept. A token acts as its user, with exactly that user's
roles at the moment of each request: no scopes, no more and no less than the web pages allow.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import ApiToken, User
from indirect_work.core.db import utcnow
from indirect_work.core.errors import NotFound, ValidationFailed
from indirect_work.extensions import db

TOKEN_MARK = "iw_"
PREFIX_LENGTH = 10
MAX_NAME = 100
#: Lifetimes offered on the account page, in days; a token always expires.
LIFETIMES = (30, 90, 180, 365)
DEFAULT_LIFETIME = 90
#: ``last_used_at`` is written at most this often, and a use is audited at most this often.
TOUCH_EVERY = timedelta(minutes=1)
AUDIT_USE_EVERY = timedelta(hours=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    #: The secret itself: shown to the user once and never stored.
    secret: str


def create_token(*, user: User, name: str | None, lifetime_days: int | None) -> NewToken:
    """Make a token for ``user``; raises ``ValidationFailed`` on a missing name or unknown lifetime."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the token, for example the system that will use it"]
    elif len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        errors["name"] = [f"The name must be {MAX_NAME} characters or fewer, on one line"]
    if lifetime_days not in LIFETIMES:
        errors["lifetime_days"] = ["Select how long the token should work"]
    if errors:
        raise ValidationFailed(errors)
    assert lifetime_days is not None
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=lifetime_days)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        "api_token.create",
        actor=user,
        object_type="api_token",
        object_id=token.id,
        details={"name": name, "prefix": token.prefix, "expires_at": expires_at.isoformat()},
    )
    return NewToken(token, secret)


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included, marked as such)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(*, user: User, token_id: int) -> ApiToken:
    """Stop one of the user's own tokens working; another user's token is ``NotFound``."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("That token does not exist")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record_event(
            "api_token.revoke",
            actor=user,
            object_type="api_token",
            object_id=token.id,
            details={"name": token.name, "prefix": token.prefix},
        )
    return token


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """``active``, ``expired`` or ``revoked``."""
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def find_usable_token(secret: str) -> ApiToken | None:
    """The live token with this secret whose user may still sign in, or ``None``."""
    if not secret.startswith(TOKEN_MARK) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token_state(token) != "active" or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> bool:
    """Record that the token was used (throttled); returns whether anything was written."""
    now = utcnow()
    previous = token.last_used_at
    if previous is not None and now - previous < TOUCH_EVERY:
        return False
    token.last_used_at = now
    if previous is None or now - previous >= AUDIT_USE_EVERY:
        record_event(
            "api_token.use",
            actor=token.user,
            object_type="api_token",
            object_id=token.id,
            details={"prefix": token.prefix, "first_use": previous is None},
        )
    return True
