"""Online backups and the restore drill.

SQLite is copied with its online backup API, which is consistent while the app keeps writing (a plain
file copy of a WAL database can miss committed pages). PostgreSQL uses ``pg_dump --format=custom``.
The restore drill compares, table by table, the row count and a checksum of every row.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, select
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


def sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return database


def backup_sqlite(url: str, output: Path) -> None:
    """Copy a live SQLite database with the online backup API, then check the copy's integrity."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(sqlite_path(url))
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        status = target.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise RuntimeError(f"the backup failed its integrity check: {status}")
    finally:
        target.close()
        source.close()
    partial.replace(output)  # never leave a half-written file under the final name


def pg_command_url(url: str) -> str:
    """A libpq URL (without SQLAlchemy's ``+psycopg`` driver suffix) for pg_dump and pg_restore."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup_postgresql(url: str, output: Path) -> None:
    """``pg_dump --format=custom`` (restore with ``pg_restore --clean --no-owner -d URL FILE``)."""
    if shutil.which("pg_dump") is None:
        raise RuntimeError("pg_dump is not installed (apt-get install postgresql-client)")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), pg_command_url(url)],
        check=True,
        capture_output=True,
        text=True,
    )
    partial.replace(output)


def backup(url: str, output: Path) -> None:
    if make_url(url).get_backend_name() == "sqlite":
        backup_sqlite(url, output)
    else:
        backup_postgresql(url, output)


def fingerprints(engine: Engine) -> dict[str, TableFingerprint]:
    """Row count and SHA-256 of every row (in primary-key order) for each table."""
    metadata = MetaData()
    metadata.reflect(engine)
    result = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            rows = 0
            for row in connection.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(_canonical(value) for value in row)).encode())
                rows += 1
            result[table.name] = TableFingerprint(rows, digest.hexdigest())
    return result


def _canonical(value: object) -> object:
    """The same value reads back the same from either driver (e.g. JSON text versus dict)."""
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def compare(live: dict[str, TableFingerprint], restored: dict[str, TableFingerprint]) -> list[str]:
    """Differences between two sets of fingerprints (empty when the restore is faithful)."""
    problems = []
    for name in sorted(set(live) | set(restored)):
        a, b = live.get(name), restored.get(name)
        if a is None or b is None:
            problems.append(f"{name}: table missing from the {'backup' if b is None else 'live database'}")
        elif a.rows != b.rows:
            problems.append(f"{name}: {a.rows} rows live, {b.rows} in the backup")
        elif a.checksum != b.checksum:
            problems.append(f"{name}: same row count but different contents")
    return problems


def restore_drill(live_url: str, backup_file: Path) -> tuple[dict[str, TableFingerprint], list[str]]:
    """Open a SQLite backup as a restored database and compare it with the live one."""
    restored = create_engine(f"sqlite:///{backup_file}")
    live = create_engine(live_url)
    try:
        live_prints, restored_prints = fingerprints(live), fingerprints(restored)
    finally:
        restored.dispose()
        live.dispose()
    return restored_prints, compare(live_prints, restored_prints)
