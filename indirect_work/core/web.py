"""Per-request plumbing: request ids, server-side session limits, security headers, SQLite write queue."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from indirect_work.core.db import utcnow
from indirect_work.core.errors import error_response
from indirect_work.core.navigation import nav_for
from indirect_work.core.sqlite import BUSY_TIMEOUT_MS, READ_ONLY_METHODS

#: Whether a signed-in user must set up two-step verification first; the app factory passes auth's rule.
NeedsEnrolment = Callable[[Any], bool]

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


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed (after sign-in, or back to where a form came from)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


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


WRITE_GATE = "iw_sqlite_write_gate"


def install_sqlite_write_gate(app: Flask) -> None:
    """On SQLite, requests that may write queue for a per-worker lock before touching the database.

    SQLite allows one writer at a time, and its busy handler polls with growing sleeps, so a request
    that has waited a while keeps losing to newcomers: with many threads writing at once, one can
    wait past the busy timeout and fail with "database is locked". Queuing the worker's write
    requests on a lock first leaves at most one waiter per worker at SQLite's door. The queue waits
    no longer than SQLite itself would, then answers 503 with nothing saved.
    """
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        return
    app.extensions[WRITE_GATE] = threading.Lock()

    def enter_write_queue() -> Any:
        if request.method in READ_ONLY_METHODS or request.endpoint == "static":
            return None
        gate = app.extensions[WRITE_GATE]
        if not gate.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            return error_response(503, "The service is busy, so nothing was saved. Please try again.")
        g.write_gate = gate
        return None

    def leave_write_queue(_exc: BaseException | None) -> None:
        gate = g.pop("write_gate", None)
        if gate is not None:
            gate.release()

    # First of all request hooks, so no database work of this request happens outside the queue.
    app.before_request_funcs.setdefault(None, []).insert(0, enter_write_queue)
    app.teardown_request(leave_write_queue)


def init_web(app: Flask, *, needs_enrolment: NeedsEnrolment) -> None:
    """Install the per-request hooks; ``needs_enrolment`` is the two-step verification rule of auth."""
    install_sqlite_write_gate(app)

    @app.before_request
    def _request_id() -> None:
        g.request_id = request.headers.get("X-Request-ID", "")[:36] or str(uuid.uuid4())

    @app.before_request
    def _session_limits() -> Any:
        return enforce_session_limits(app)

    @app.before_request
    def _must_change_password() -> Any:
        """An admin-set password must be replaced before anything else is used."""
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
        ):
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def _mfa_enrolment_required() -> Any:
        """A role that must use two-step verification reaches nothing else until it is set up."""
        if (
            not current_user.is_authenticated
            or request.endpoint in MFA_SETUP_ENDPOINTS
            or current_user.must_change_password
        ):
            return None
        if not needs_enrolment(current_user):
            return None
        if request.path.startswith("/api/"):
            return error_response(403, "Set up two-step verification in the web app first.")
        return redirect(url_for("auth.mfa_start"))

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        def nav_items() -> list[Any]:
            return nav_for(current_user)

        def nav_section() -> str | None:
            section: str | None = g.get("nav_section")
            return section

        return {"nav_items": nav_items, "nav_section": nav_section}

    app.after_request(set_security_headers)


PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static", "core.healthz"}
MFA_SETUP_ENDPOINTS = {
    "auth.mfa_start",
    "auth.mfa_setup",
    "auth.logout",
    "auth.logout_everywhere",
    "static",
    "core.healthz",
}
