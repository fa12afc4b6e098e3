"""Who is calling the API: a personal token (``Authorization: Bearer``), or a signed-in browser for reads.

* A token acts as its user with that user's current roles, no more. Bad tokens count against the
  shared throttle (key ``api-token:<client address>``); once throttled, the answer is 429 with
  ``Retry-After`` even for a good token from that address.
* A browser session may *read* the API (``GET``), so a signed-in person can open ``/api/v1/me``.
  It may never change anything: the API is exempt from CSRF tokens, so a write must carry a
  bearer token, which a forged cross-site request cannot.
* Every request counts against the per-user rate limit (per client address before sign-in).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import g, request
from flask_login import current_user

from indirect_work.api import ratelimit
from indirect_work.api.tokens import PREFIX_LENGTH, TOKEN_MARK, find_usable_token, note_use
from indirect_work.audit.services import client_ip, record_event
from indirect_work.auth.mfa import needs_enrolment
from indirect_work.auth.models import User
from indirect_work.auth.throttle import is_throttled, note_failure, retry_after_seconds
from indirect_work.core.errors import error_response
from indirect_work.core.transactions import keep_despite_refusal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints anyone may read without signing in (the API's own documentation).
PUBLIC_ENDPOINTS = frozenset({"api.openapi_document", "api.docs"})


def _unauthorised(message: str, error: str | None = None) -> Any:
    body, status = error_response(401, message, code="unauthorized")
    challenge = 'Bearer realm="indirect-work"'
    if error:
        challenge += f', error="{error}"'
    body.headers["WWW-Authenticate"] = challenge
    return body, status


def _too_many(message: str, retry_after: int) -> Any:
    body, status = error_response(429, message, code="too_many_requests")
    body.headers["Retry-After"] = str(retry_after)
    return body, status


def _bearer_user() -> User | Any:
    """The token's user, or a ready error response."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorised("Send your API token as: Authorization: Bearer <token>", "invalid_request")
    key = f"api-token:{client_ip() or 'unknown'}"
    if is_throttled(key):
        return _too_many(
            "Too many requests with a wrong API token. Wait and try again.", retry_after_seconds()
        )
    token = find_usable_token(secret.strip())
    if token is None:
        # Only the public prefix of something shaped like our tokens: never part of a pasted password.
        shown = secret.strip()[:PREFIX_LENGTH] if secret.strip().startswith(TOKEN_MARK) else None
        keep_despite_refusal(partial(_record_rejected_token, key, shown))
        return _unauthorised(
            "The API token is not valid: it may be wrong, expired or revoked.", "invalid_token"
        )
    # The use is recorded even when the request itself is later refused (403, 422, 429).
    keep_despite_refusal(partial(note_use, token))
    g.api_token = token
    return token.user


def _record_rejected_token(key: str, shown: str | None) -> None:
    note_failure(key)
    record_event("api_token.rejected", details={"prefix": shown})


def authenticate() -> Any:
    """``before_request`` of the API blueprint: set the caller, or answer 401/403/429."""
    g.api_token = None
    g.api_auth = None
    if "Authorization" in request.headers:
        user = _bearer_user()
        if not isinstance(user, User):
            return user
        g._login_user = user  # Flask-Login's current user for this request only; no session is touched
        g.api_auth = "token"
    elif current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            return _unauthorised(
                "Changes through the API need an API token (Authorization: Bearer <token>); "
                "a browser session can only read.",
                "invalid_request",
            )
        g.api_auth = "session"
    elif request.endpoint not in PUBLIC_ENDPOINTS:
        limited = _rate_limit(f"ip:{client_ip() or 'unknown'}")
        return limited or _unauthorised("Send your API token as: Authorization: Bearer <token>")
    user = current_user._get_current_object() if g.api_auth else None
    if user is not None:
        refused = _account_refusal(user)
        if refused is not None:
            return refused
    return _rate_limit(f"user:{user.id}" if user is not None else f"ip:{client_ip() or 'unknown'}")


def _account_refusal(user: User) -> Any:
    if user.must_change_password:
        return error_response(
            403, "Your password must be changed in the web app before you use the API.", code="forbidden"
        )
    if needs_enrolment(user):
        return error_response(403, "Set up two-step verification in the web app first.", code="forbidden")
    return None


def _rate_limit(identity: str) -> Any:
    verdict = ratelimit.check(identity)
    g.api_rate = verdict
    if not verdict.allowed:
        return _too_many(
            f"Rate limit of {verdict.limit} requests a minute reached. Wait and try again.", verdict.reset_in
        )
    return None


def add_rate_headers(response: Any) -> Any:
    """``after_request``: tell clients where they stand against the limit."""
    verdict = g.pop("api_rate", None)
    if verdict is not None:
        response.headers["X-RateLimit-Limit"] = str(verdict.limit)
        response.headers["X-RateLimit-Remaining"] = str(verdict.remaining)
        response.headers["X-RateLimit-Reset"] = str(verdict.reset_in)
    return response
