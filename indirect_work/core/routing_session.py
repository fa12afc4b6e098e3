"""The app's database session: it sends a replica-marked request's reads to the replica until it writes.

Kept apart from :mod:`indirect_work.core.replica` (which decides whether a request may use the
replica) because ``extensions`` builds ``db`` with this session class, before anything else loads.
"""

from __future__ import annotations

from typing import Any

import flask_sqlalchemy.session
import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, session
from sqlalchemy import event

from config.settings import normalise_database_url

REPLICA_ENGINE = "iw_replica_engine"
#: Key in the person's session: the primary's WAL position after their last write.
WRITTEN_LSN = "iw_lsn"
USE_REPLICA = "iw_use_replica"
WROTE = "iw_wrote"


class RoutingSession(flask_sqlalchemy.session.Session):
    """The app's session: SELECTs of a replica-marked request go to the replica until it writes."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        if (
            bind is None
            and not self._flushing
            and not isinstance(clause, sa.sql.dml.UpdateBase)
            and has_request_context()
            and g.get(USE_REPLICA)
            and not g.get(WROTE)
        ):
            return replica_engine()
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@event.listens_for(RoutingSession, "after_flush")
def _note_write(_session: Any, _context: Any) -> None:
    if has_request_context():
        g.setdefault(WROTE, True)


@event.listens_for(RoutingSession, "after_commit")
def remember_write(_session: Any = None) -> None:
    """After a request that wrote has committed, keep the primary's WAL position in the person's session."""
    if not (has_request_context() and g.pop(WROTE, False) and replica_configured()):
        return
    db = current_app.extensions["sqlalchemy"]
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as connection:
        session[WRITTEN_LSN] = connection.execute(
            sa.text("SELECT pg_current_wal_insert_lsn()::text")
        ).scalar_one()


def replica_configured() -> bool:
    return bool(current_app.config.get("IW_REPLICA_DATABASE_URL"))


def replica_engine() -> sa.Engine:
    """The app's replica engine, made on first use with a short connect timeout.

    It is not a Flask-SQLAlchemy bind: a bind gets its own metadata, and the schema (``create_all``,
    migrations) belongs to the primary alone. A replica that does not answer must cost a request
    little before the primary takes over, hence the timeout.
    """
    engines = current_app.extensions.setdefault(REPLICA_ENGINE, {})
    if "engine" not in engines:
        engines["engine"] = sa.create_engine(
            normalise_database_url(current_app.config["IW_REPLICA_DATABASE_URL"]),
            pool_pre_ping=True,
            connect_args={"connect_timeout": 2},
        )
    return engines["engine"]  # type: ignore[no-any-return]


def dispose_replica_engine(app: Flask) -> None:
    engine = app.extensions.get(REPLICA_ENGINE, {}).pop("engine", None)
    if engine is not None:
        engine.dispose()
