"""Reads that may go to a read replica; writes, and reads after one's own writes, stay on the primary.

With ``IW_REPLICA_DATABASE_URL`` set, the replica gets an engine of its own (``routing_session``) and a
view marked :func:`reads_from_replica` (dashboards, the commissioner workbook and extracts, API
roll-ups) runs its SELECTs there. Everything else, and every statement of a marked view once it has
written anything (an audit row, a publication), runs on the primary. A marked view uses the replica
only when it can answer truthfully:

* the replica answers (a failure opens a circuit for ``IW_REPLICA_RETRY_SECONDS``, during which the
  primary serves, so a replica that is down costs nothing but its absence);
* it is at most ``IW_REPLICA_MAX_LAG_SECONDS`` behind;
* it has replayed the signed-in person's own last write: after every request that wrote, the
  primary's WAL position is kept in their session, and a replica that has not reached it is passed
  over, so a lead who locks a month sees it locked on the next page.

A replica that fails in the middle of a request makes the view run once more on the primary. The
tests run this against a real streaming replica (``tests/core/test_read_replica.py``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app, g, session
from sqlalchemy.exc import DBAPIError

from indirect_work.core.routing_session import (
    USE_REPLICA,
    WRITTEN_LSN,
    WROTE,
    replica_configured,
    replica_engine,
)
from indirect_work.core.transactions import discard

_REPLICA_STATE = sa.text(
    "SELECT pg_last_wal_replay_lsn()::text, CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
    "THEN 0 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

V = TypeVar("V", bound=Callable[..., Any])


@dataclass
class ReplicaState:
    """Per worker: when the replica may next be tried after a failure."""

    closed_until: float = 0.0


def reads_from_replica(view: V) -> V:
    """Mark a read-only view (it may still write audit rows) as one the replica may serve."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not replica_configured():
            return view(*args, **kwargs)
        # A write before the view (a session touch) is the person's own; it must not keep the
        # view's reads off the replica, but its position is still remembered afterwards.
        earlier = g.pop(WROTE, False)
        setattr(g, USE_REPLICA, _replica_can_serve())
        try:
            return view(*args, **kwargs)
        except DBAPIError:
            if not (g.get(USE_REPLICA) and _replica_failed()):
                raise
            _open_circuit()
            discard()
            g.pop(WROTE, None)
            setattr(g, USE_REPLICA, False)
            return view(*args, **kwargs)
        finally:
            if earlier:
                setattr(g, WROTE, True)

    return wrapper  # type: ignore[return-value]


def lsn_value(text: str) -> int:
    """A WAL position such as ``0/3000148`` as a number, so two can be compared."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def _replica_can_serve() -> bool:
    state = _state()
    if time.monotonic() < state.closed_until:
        return False
    try:
        with replica_engine().connect() as connection:
            replayed, lag = connection.execute(_REPLICA_STATE).one()
    except DBAPIError:
        _open_circuit()
        return False
    if replayed is None or float(lag) > current_app.config["IW_REPLICA_MAX_LAG_SECONDS"]:
        return False
    written = session.get(WRITTEN_LSN)
    return not (isinstance(written, str) and _safe_lsn(written) > lsn_value(replayed))


def _safe_lsn(text: str) -> int:
    try:
        return lsn_value(text)
    except ValueError:
        return 1 << 64  # an unreadable position: do not trust the replica for this person


def _replica_failed() -> bool:
    """Whether the replica (rather than the primary) failed: it no longer answers a trivial query."""
    try:
        with replica_engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except DBAPIError:
        return True
    return False


def _open_circuit() -> None:
    _state().closed_until = time.monotonic() + current_app.config["IW_REPLICA_RETRY_SECONDS"]


def _state() -> ReplicaState:
    return current_app.extensions.setdefault("iw_replica", ReplicaState())  # type: ignore[no-any-return]
