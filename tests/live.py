"""gunicorn serving the app on its own database (SQLite file or throwaway PostgreSQL), for end-to-end tests.

The database is built and filled in this process and committed; gunicorn then serves it on a free
port of 127.0.0.1, and the test talks to it with ``requests`` (which reads each body whole).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from indirect_work import create_app
from indirect_work.extensions import db as _db
from tests import dbutil
from tests.factories import Factory

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class LiveServer:
    def __init__(self, url: str, database_url: str, app: Any) -> None:
        self.url, self.database_url, self.app = url, database_url, app

    def signed_in(self, email: str, password: str = Factory.PASSWORD) -> requests.Session:
        session = requests.Session()
        page = session.get(self.url + "/sign-in", timeout=10).text
        response = session.post(
            self.url + "/sign-in",
            data={"email": email, "password": password, "csrf_token": csrf_from(page)},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:300]
        return session


@contextmanager
def _database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield "sqlite:///" + str(tmp_path / "live.sqlite3")
    else:
        dbutil.skip_or_fail_without_postgres()
        with dbutil.temporary_postgres_database() as url:
            yield url


@contextmanager
def live_server(
    backend: str, tmp_path: Path, fill: Callable[[Factory], Any]
) -> Iterator[tuple[LiveServer, Any]]:
    """Build the schema, run ``fill(factory)`` and commit, then serve with gunicorn (2 workers)."""
    from indirect_work.taxonomy.services import load_reference_data

    with _database(backend, tmp_path) as url:
        app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            _db.create_all()
            load_reference_data()
            filled = fill(Factory())
            _db.session.commit()
            _db.session.remove()
        port = free_port()
        env = {**os.environ, "IW_CONFIG": "development", "DATABASE_URL": url, "HOME": str(tmp_path)}
        with open(tmp_path / "gunicorn.log", "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            server = LiveServer(f"http://127.0.0.1:{port}", url, app)
            try:
                _wait_healthy(server, proc)
                yield server, filled
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                with app.app_context():
                    _db.engine.dispose()


def _wait_healthy(server: LiveServer, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert proc.poll() is None, "gunicorn exited"
        try:
            if requests.get(server.url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "the server did not become healthy"
        time.sleep(0.2)
