"""A real PostgreSQL primary and streaming replica, made with initdb and pg_basebackup on free ports.

The machine's own PostgreSQL does not accept replication connections, so the suite makes its own
pair in a temporary folder, runs the replica tests against it and removes it at the end. When the
tests run as root the clusters run as the ``postgres`` user, as PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg


def bin_dir() -> Path | None:
    """The PostgreSQL server programs (``initdb``, ``pg_ctl``, ``pg_basebackup``), if installed."""
    found = shutil.which("pg_config")
    if found:
        done = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(done.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def unavailable_reason() -> str | None:
    if bin_dir() is None:
        return "the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser, so PostgreSQL cannot be started as another user"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Pair:
    """The running pair: connection URLs and the controls the tests need."""

    root: Path
    primary_port: int
    replica_port: int
    replica_stopped: bool = False

    def url(self, port: int, database: str = "iw") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def sql(self, port: int, statement: str) -> object:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/iw", autocommit=True) as conn:
            cursor = conn.execute(statement)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def wait_until_replayed(self, timeout: float = 30.0) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        target = self.sql(self.primary_port, "SELECT pg_current_wal_insert_lsn()::text")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            caught_up = self.sql(self.replica_port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
            if caught_up:
                return
            time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")

    def pause_replay(self) -> None:
        self.sql(self.replica_port, "SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.sql(self.replica_port, "SELECT pg_wal_replay_resume()")

    def stop_replica(self) -> None:
        self.replica_stopped = True
        _run(_pg("pg_ctl"), "-D", str(self.root / "replica"), "-m", "fast", "-w", "stop")


def _pg(program: str) -> str:
    found = bin_dir()
    assert found is not None
    return str(found / program)


def _run(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


def _start(data: Path, port: int) -> None:
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data.parent}"
    _run(
        _pg("pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(data.parent / f"{data.name}.log"),
        "-w",
        "start",
    )


@contextmanager
def primary_and_replica() -> Iterator[Pair]:
    root = Path(tempfile.mkdtemp(prefix="iw-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pair = Pair(root, free_port(), free_port())
    primary, replica = root / "primary", root / "replica"
    try:
        _run(_pg("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write("\nwal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
        _start(primary, pair.primary_port)
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{pair.primary_port}/postgres", autocommit=True
        ) as c:
            c.execute("CREATE DATABASE iw")
        _run(
            _pg("pg_basebackup"), "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        _start(replica, pair.replica_port)
        pair.wait_until_replayed()
        yield pair
    finally:
        for data in (replica, primary):
            if (data / "postmaster.pid").exists():
                subprocess.run(
                    [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                     _pg("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                    capture_output=True, check=False, timeout=60,
                )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
