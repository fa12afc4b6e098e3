"""Where the test databases live: a temporary SQLite file, and a throwaway PostgreSQL database.

Each test session creates its own PostgreSQL database (``iw_test_<random>``) on the server named
by ``IW_TEST_POSTGRES_URL`` and drops it afterwards, so several runs can share one server.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("IW_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_required() -> bool:
    """In CI (or when asked) a missing PostgreSQL fails the run instead of skipping."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("IW_REQUIRE_POSTGRES") == "1"


def postgres_unavailable_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(postgres_admin_url(), connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL is not reachable at {postgres_admin_url()} ({exc.__class__.__name__})"


def skip_or_fail_without_postgres() -> None:
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(f"{reason}; PostgreSQL tests must run in CI", pytrace=False)
    pytest.skip(f"{reason}; set IW_TEST_POSTGRES_URL to run the PostgreSQL tests")


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """Create an empty database and yield its SQLAlchemy URL; drop it afterwards."""
    import psycopg
    from psycopg import sql

    name = f"iw_test_{secrets.token_hex(6)}"
    admin = postgres_admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
