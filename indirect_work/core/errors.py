"""Domain errors raised by services, and the one error shape for HTML pages and JSON."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request


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
