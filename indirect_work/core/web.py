"""Per-request plumbing: request ids, server-side session limits, security headers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from indirect_work.core.db import utcnow

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def enforce_session_limits(app: Flask) -> Any:
    """Sign the user out after the idle or absolute limit; the clock lives in the signed session."""
    if not current_user.is_authenticated or request.endpoint in (None, "static"):
        return None
    now = utcnow()
    login_at = parse_time(session.get("login_at"))
    last_seen = parse_time(session.get("last_seen"))
    idle = timedelta(minutes=app.config["IW_SESSION_IDLE_MINUTES"])
    absolute = timedelta(minutes=app.config["IW_SESSION_ABSOLUTE_MINUTES"])
    if login_at is None or last_seen is None or now - last_seen > idle or now - login_at > absolute:
        logout_user()
        session.clear()
        if request.path.startswith("/api/"):
            return None
        return redirect(url_for("auth.login", next=request.full_path, expired=1))
    session["last_seen"] = now.isoformat()
    return None


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def start_session_clock() -> None:
    now = utcnow().isoformat()
    session["login_at"] = now
    session["last_seen"] = now


def set_security_headers(response: Any) -> Any:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_user.is_authenticated or response.headers.get("Content-Disposition"):
        headers["Cache-Control"] = "no-store"
    if request.endpoint == "static":
        headers["Cache-Control"] = "public, max-age=3600"
    return response


def init_web(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        g.request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())

    @app.before_request
    def _session_limits() -> Any:
        return enforce_session_limits(app)

    @app.before_request
    def _must_change_password() -> Any:
        """An admin-set password must be replaced before anything else is used."""
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS):
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def _mfa_enrolment_required() -> Any:
        """A role that must use two-step verification reaches nothing else until it is set up."""
        if (not current_user.is_authenticated or request.endpoint in MFA_SETUP_ENDPOINTS
                or current_user.must_change_password):
            return None
        from indirect_work.auth.mfa import needs_enrolment

        if not needs_enrolment(current_user):
            return None
        if request.path.startswith("/api/"):
            from indirect_work.core.errors import error_response

            return error_response(403, "Set up two-step verification in the web app first.")
        return redirect(url_for("auth.mfa_start"))

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        from indirect_work.core.navigation import nav_for

        def nav_items() -> list[Any]:
            return nav_for(current_user)

        def nav_section() -> str | None:
            return g.get("nav_section")

        return {"nav_items": nav_items, "nav_section": nav_section}

    app.after_request(set_security_headers)


PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static", "core.healthz"}
MFA_SETUP_ENDPOINTS = {
    "auth.mfa_start", "auth.mfa_setup", "auth.logout", "auth.logout_everywhere", "static", "core.healthz"
}
