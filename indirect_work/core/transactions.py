"""The one commit point: services flush, each request (or command) commits once or rolls back.

Views never commit. ``IndirectWorkFlask.dispatch_request`` hands every view's answer to
:func:`finish_request`, which commits when the answer is a success (status below 400) and rolls
back otherwise. The commit runs inside dispatch, so a commit that fails (a lock, a full disk)
reaches the app's error handlers like any other error and is answered with nothing saved; an
exception anywhere else rolls back in the error handlers and in Flask-SQLAlchemy's teardown.

Command-line commands and jobs, which have no request, wrap their work in :func:`unit_of_work`.
The writes that must outlive a refused request (its audit row, a failed sign-in counted by the
throttle) go through :func:`keep_despite_refusal`, which says so. The error handlers undo a failed
request's work with :func:`discard`, and the demo's bulk COPY commits its raw connection with
:func:`commit_bulk_load`, so that every commit of the package is in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, g, has_request_context

from indirect_work.core.errors import DomainError
from indirect_work.extensions import db

T = TypeVar("T")

#: Set on ``g`` by :func:`abandon`: this request's work is not to be kept, whatever its status.
ABANDONED = "iw_transaction_abandoned"


class IndirectWorkFlask(Flask):
    """Flask with the commit point: every view's answer passes through :func:`finish_request`."""

    def dispatch_request(self) -> Any:
        return finish_request(self.make_response(super().dispatch_request()))


def finish_request(response: Any) -> Any:
    """Commit the request's work when the answer is a success; roll it back otherwise."""
    abandoned = g.pop(ABANDONED, False)
    if response.status_code < 400 and not abandoned:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def abandon() -> None:
    """Undo what this request has written so far; nothing it writes later is committed either.

    For a view that answers a refused action with a success status (a redirect with a message),
    or that must re-read the stored state after a refusal to show it.
    """
    db.session.rollback()
    if has_request_context():
        g.setdefault(ABANDONED, True)


def attempt(action: Callable[..., T], /, *args: Any, **kwargs: Any) -> tuple[T | None, DomainError | None]:
    """Run a service call in a savepoint: on a :class:`DomainError` its writes are undone.

    Returns ``(result, None)`` on success and ``(None, error)`` when a rule refused the action, so
    a view can show the error next to the fields without a try/except/rollback block of its own.
    Any other error is left to the request's rollback without touching the savepoint: after a
    full disk SQLite has already rolled back the whole transaction, and rolling back to a
    savepoint that no longer exists would hide the real error.
    """
    savepoint = db.session.begin_nested()
    try:
        result = action(*args, **kwargs)
    except DomainError as exc:
        savepoint.rollback()
        return None, exc
    savepoint.commit()
    return result, None


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once when the block succeeds, roll back on any error (commands and jobs)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def keep_despite_refusal(write: Callable[[], object]) -> None:
    """Discard the request's work, then run ``write`` and commit it on its own.

    Only for records that must survive the refusal they describe (an audit row for a refused
    request, a failed sign-in counted by the throttle): the refused work itself is never kept.
    """
    db.session.rollback()
    write()
    db.session.commit()


def discard() -> None:
    """Roll back the request's work because it is answered with an error (the error handlers).

    Error answers are drawn outside ``dispatch_request``, so :func:`finish_request` never sees
    them; the handlers call this before they draw the page or keep an audit row.
    """
    db.session.rollback()


def discard_broken_session() -> None:
    """Roll back and drop the session after the database failed to answer (the health check)."""
    db.session.rollback()
    db.session.remove()


def commit_bulk_load(connection: Any) -> None:
    """Commit a raw DBAPI connection that bulk-loaded rows with COPY, outside the session."""
    connection.commit()
