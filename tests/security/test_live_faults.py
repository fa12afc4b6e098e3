"""Faults against the real server: gunicorn on PostgreSQL, the database going away, a worker killed.

These start gunicorn on a throwaway PostgreSQL database (127.0.0.1 only) and drive it over HTTP.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from indirect_work import create_app
from indirect_work.extensions import db as _db
from tests import dbutil
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(
        self, url: str, proc: subprocess.Popen, database_url: str, db_name: str, email: str, form: dict
    ) -> None:
        self.url, self.proc, self.database_url, self.db_name = url, proc, database_url, db_name
        self.email, self.form = email, form

    def health(self) -> int:
        try:
            return requests.get(self.url + "/healthz", timeout=10).status_code
        except requests.RequestException:
            return 0

    def wait_healthy(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while self.health() != 200:
            assert self.proc.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "the server did not become healthy"
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """Pids of the gunicorn master's children (its workers)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def signed_in_session(self) -> requests.Session:
        session = requests.Session()
        page = session.get(self.url + "/sign-in", timeout=10).text
        response = session.post(
            self.url + "/sign-in",
            timeout=10,
            allow_redirects=False,
            data={"email": self.email, "password": Factory.PASSWORD, "csrf_token": _csrf(page)},
        )
        assert response.status_code == 302
        return session


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(dbutil.postgres_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def gunicorn_on_postgres(workers: int, tmp_path: Path) -> Iterator[Server]:
    dbutil.skip_or_fail_without_postgres()
    with dbutil.temporary_postgres_database() as url:
        app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            _db.create_all()
            from indirect_work.taxonomy.services import load_reference_data
            from tests.capture.helpers import form_for

            load_reference_data()
            make = Factory()
            team = make.team()
            email = make.clinician(team).email
            form = form_for(team)
            _db.session.commit()
            _db.session.remove()
            _db.engine.dispose()
        port = _free_port()
        env = {**os.environ, "IW_CONFIG": "development", "DATABASE_URL": url, "HOME": str(tmp_path)}
        log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", proc, url, url.rsplit("/", 1)[1], email, form)
        try:
            server.wait_healthy()
            yield server
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest.fixture
def postgres_only(db_backend):
    if db_backend != "postgresql":
        pytest.skip("runs once, against gunicorn on PostgreSQL")


def _rename(old: str, new: str) -> None:
    """Rename a database, first ending every connection to it (the workers' pooled ones included)."""
    for _ in range(50):
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{old}'")
        try:
            admin(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
            return
        except Exception:  # noqa: BLE001 - a worker reconnected in between: try again
            time.sleep(0.1)
    raise AssertionError(f"could not rename {old}")


def test_database_goes_away_and_comes_back(postgres_only, tmp_path):
    with gunicorn_on_postgres(workers=2, tmp_path=tmp_path) as server:
        session = server.signed_in_session()
        assert [server.health() for _ in range(6)] == [200] * 6
        away = server.db_name + "_away"
        _rename(server.db_name, away)
        try:
            assert [server.health() for _ in range(6)] == [503] * 6
            page = session.get(server.url + "/log", timeout=10)
            assert page.status_code == 503 and "nothing was saved" in page.text
        finally:
            _rename(away, server.db_name)
        # Every worker recovers on its own: no restart, no broken worker left behind.
        assert [server.health() for _ in range(10)] == [200] * 10
        again = server.signed_in_session()
        page = again.get(server.url + "/log", timeout=10).text
        form = {**server.form, "csrf_token": _csrf(page), "submission_token": "after-outage"}
        saved = again.post(server.url + "/log", data=form, timeout=10, allow_redirects=False)
        assert saved.status_code == 302


def _count(server: Server, token: str) -> int:
    import psycopg

    url = server.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        query = "SELECT count(*) FROM activities WHERE submission_token = %s"
        return conn.execute(query, (token,)).fetchone()[0]


def test_worker_killed_during_post(postgres_only, tmp_path):
    import psycopg

    with gunicorn_on_postgres(workers=1, tmp_path=tmp_path) as server:
        session = server.signed_in_session()
        page = session.get(server.url + "/log", timeout=10).text
        token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {**server.form, "csrf_token": _csrf(page), "submission_token": token}
        [worker] = server.workers()
        # Hold the activities table so the POST stops half-way through its transaction.
        url = server.database_url.replace("postgresql+psycopg://", "postgresql://")
        blocker = psycopg.connect(url)
        blocker.execute("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE")
        outcome: dict[str, object] = {}

        def submit() -> None:
            try:
                outcome["status"] = session.post(
                    server.url + "/log", data=form, timeout=30, allow_redirects=False
                ).status_code
            except requests.RequestException as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=submit)
        thread.start()
        deadline = time.monotonic() + 15
        with psycopg.connect(dbutil.postgres_admin_url(), autocommit=True) as watcher:
            while not watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (server.db_name,),
            ).fetchone()[0]:
                assert time.monotonic() < deadline, "the POST never reached the database"
                time.sleep(0.05)
        os.kill(worker, signal.SIGKILL)
        thread.join(timeout=30)
        blocker.rollback()
        blocker.close()
        assert "error" in outcome or outcome.get("status", 0) >= 500  # the browser saw the failure
        assert _count(server, token) in (0, 1)  # saved once or not at all, never half
        lost = _count(server, token) == 0
        server.wait_healthy()
        assert server.workers() and worker not in server.workers()  # gunicorn replaced the worker
        # The user presses Save again: the same form (same submission token) saves exactly once.
        for _ in range(2):
            retry = session.post(server.url + "/log", data=form, timeout=10, allow_redirects=False)
            assert retry.status_code == 302
            assert _count(server, token) == 1
        assert lost  # killed before its commit, the first attempt left nothing behind
