"""Domain errors raised by services, and one error shape for HTML pages and JSON."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A business rule refused the operation; ``status`` is the HTTP answer it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.fields = fields or {}


class ValidationFailed(DomainError):
    """The data is not valid."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, list[str]], message: str = "") -> None:
        super().__init__(message or "There is a problem with the data", fields)


class NotFound(DomainError):
    """Not found."""

    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    """You do not have permission to do that."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The record changed or already exists."""

    status = 409
    code = "conflict"

    def __init__(
        self, message: str = "", fields: dict[str, list[str]] | None = None, current: Any = None
    ) -> None:
        super().__init__(message, fields)
        #: The record as it now stands, so the user can see what changed.
        self.current = current


ERROR_TITLES = {
    400: "The request could not be understood",
    401: "Sign in to continue",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "The record has changed",
    413: "The file is too large",
    422: "There is a problem with the data",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


def wants_json() -> bool:
    """JSON for the API and for clients that prefer it; HTML pages for everyone else."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(
    status: int,
    message: str | None = None,
    fields: dict[str, list[str]] | None = None,
    code: str | None = None,
) -> Any:
    """Render the error as ``{"error": {...}}`` JSON or as the NHS.UK-styled error page."""
    title = ERROR_TITLES.get(status, "Error")
    if wants_json():
        body = {"error": {"code": code or str(status), "message": message or title, "fields": fields or {}}}
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def audit_denied_access() -> None:
    """Record a refused request in the audit trail (ASVS 16.3.2), in its own small transaction."""
    from indirect_work.audit.services import record_event
    from indirect_work.extensions import db

    try:
        db.session.rollback()  # whatever the refused request had started is not kept
        record_event(
            "access.denied",
            details={"method": request.method, "path": request.path[:200], "endpoint": request.endpoint},
        )
        db.session.commit()
    except Exception:  # noqa: BLE001 - the refusal itself must still be answered
        db.session.rollback()
        current_app.logger.exception("could not audit a refused request")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError) -> Any:
        from indirect_work.extensions import db

        db.session.rollback()
        if exc.status == 403:
            audit_denied_access()
        return error_response(exc.status, exc.message, exc.fields, exc.code)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if status == 403:
            audit_denied_access()
        # Only our own short descriptions are shown; never the exception's internals.
        message = exc.description if status in (400, 413, 429) and isinstance(exc.description, str) else None
        response = error_response(status, message, code=exc.name.lower().replace(" ", "_"))
        if status == 429 and getattr(exc, "retry_after", None):
            response[0].headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        from sqlalchemy.exc import InterfaceError, OperationalError

        from indirect_work.extensions import db, login_manager

        try:
            db.session.rollback()
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
                "The database has run out of space, so nothing was saved. "
                "Please tell the service administrator.",
                code="storage_full",
            )
        if isinstance(exc, OperationalError):
            return error_response(503, "The database is not available; nothing was saved. Please try again.")
        return error_response(500)
