"""SQLite connection set-up: WAL, foreign keys, busy timeout, and write transactions that queue.

pysqlite's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself
(the documented recipe). Requests that may write begin with BEGIN IMMEDIATE, which takes the
write lock up front and waits up to the busy timeout; a deferred transaction that reads and then
writes would instead fail at once with "database is locked", whatever the timeout.

A read-only request (GET) begins deferred, so reads run side by side. Some GETs write all the
same: the audit row of a download, the audit row of a refusal. Before the first write (or
savepoint) of a deferred transaction the connection ends its read (nothing to keep) and begins
again with BEGIN IMMEDIATE, so that write, too, waits for the lock instead of failing.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15000
READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}
#: Set on a connection's ``info`` while its transaction is a deferred (read) one.
DEFERRED = "iw_sqlite_deferred"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


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
            conn.info[DEFERRED] = True
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.info.pop(DEFERRED, None)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(DEFERRED) and statement.lstrip().upper().startswith(_WRITES):
            become_writer(conn, cursor)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Any) -> None:
        conn.info.pop(DEFERRED, None)


def become_writer(conn: Any, cursor: Any) -> None:
    """Turn the connection's deferred read transaction into an immediate (writing) one.

    The read has written nothing, so ending it loses nothing; BEGIN IMMEDIATE then waits for the
    write lock up to the busy timeout like every other writer.
    """
    conn.info.pop(DEFERRED, None)
    cursor.execute("COMMIT")
    cursor.execute("BEGIN IMMEDIATE")
