"""SQLite connection set-up: WAL, foreign keys, busy timeout, and write transactions that queue.

pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself
(the documented recipe). Requests that may write begin with BEGIN IMMEDIATE, which takes the
write lock up front and waits up to the busy timeout; a deferred transaction that reads and then
writes would instead fail at once with "database is locked", whatever the timeout.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15000
READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def configure_sqlite_engine(engine: Engine) -> None:
    """Install the connect and begin hooks on a SQLite engine (no-op for other databases)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if has_request_context() and request.method in READ_ONLY_METHODS:
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
