"""The application's error handlers: every refusal and failure answered in the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, make_response, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from indirect_work.core.errors import DomainError, error_response
from indirect_work.core.transactions import discard
from indirect_work.extensions import login_manager

#: Records a refused (403) request; the app factory passes the audit trail's writer.
AuditRefusal = Callable[[], None]


def _audit(audit_refusal: AuditRefusal | None) -> None:
    """Keep the refused request's audit row (ASVS 16.3.2); the refusal is answered even if that fails."""
    if audit_refusal is None:
        return
    try:
        audit_refusal()
    except Exception:  # noqa: BLE001 - the refusal itself must still be answered
        discard()
        current_app.logger.exception("could not audit a refused request")


def register_error_handlers(app: Flask, *, audit_refusal: AuditRefusal | None = None) -> None:
    """Answer domain errors, HTTP errors and failures; ``audit_refusal`` records each 403."""

    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError) -> Any:
        discard()
        if exc.status == 403:
            _audit(audit_refusal)
        return error_response(exc.status, exc.message, exc.fields, exc.code)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if status == 403:
            _audit(audit_refusal)
        # Only our own short descriptions are shown; never the exception's internals.
        message = exc.description if status in (400, 413, 429) and isinstance(exc.description, str) else None
        response = make_response(error_response(status, message, code=exc.name.lower().replace(" ", "_")))
        if status == 429 and getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
        if status == 405 and getattr(exc, "valid_methods", None):
            # RFC 9110 15.5.6: a 405 says which methods the resource does allow.
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # type: ignore[attr-defined]
        return response

    app.errorhandler(Exception)(handle_unexpected)


def handle_unexpected(exc: Exception) -> Any:
    """Roll back, log, and answer 500 (503 when the database is unavailable or full)."""
    try:
        discard()
    except Exception:  # noqa: BLE001 - the connection itself may be gone
        current_app.logger.exception("rollback failed")
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is unusable: draw the error page without loading the signed-in user.
        g._login_user = login_manager.anonymous_user()
    if isinstance(exc, OperationalError) and "disk is full" in str(exc.orig):
        current_app.logger.critical("database storage is full: writes are failing")
        return error_response(
            503,
            "The database has run out of space, so nothing was saved. Please tell the service administrator.",
            code="storage_full",
        )
    if isinstance(exc, OperationalError):
        return error_response(503, "The database is not available; nothing was saved. Please try again.")
    return error_response(500)
