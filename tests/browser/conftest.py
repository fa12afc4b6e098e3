"""Real-browser tests: gunicorn serves the app on a seeded SQLite database, Chromium drives it.

Debian's chromium is used (never a downloaded browser). Without it these tests skip locally and
fail in CI. Screenshots go to ``tests/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dbutil import postgres_required, skip_or_fail_without_postgres, temporary_postgres_database

CHROMIUM = os.environ.get("IW_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url


def _serve(workdir: Path, database_url: str, smtp_server: Any) -> Iterator[LiveServer]:
    """gunicorn with two workers on ``database_url``, migrated and demo-seeded first.

    Its email goes to the suite's SMTP server (``smtp_server``), so a test can read what it sent.
    """
    env = {**os.environ, "IW_CONFIG": "development", "DATABASE_URL": database_url, "HOME": str(workdir)}
    env.update(IW_SMTP_HOST=smtp_server.host, IW_SMTP_PORT=str(smtp_server.port), IW_SMTP_STARTTLS="0")
    flask = [sys.executable, "-m", "flask", "--app", "indirect_work"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.close()
            raise RuntimeError("gunicorn did not start:\n" + (workdir / "gunicorn.log").read_text())
        time.sleep(0.2)
    try:
        yield LiveServer(url, database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[LiveServer]:
    """gunicorn with two workers on a fresh, migrated, demo-seeded SQLite database."""
    workdir = tmp_path_factory.mktemp("live")
    yield from _serve(workdir, f"sqlite:///{workdir / 'live.sqlite3'}", smtp_server)


@pytest.fixture(scope="session")
def live_server_postgres(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[LiveServer]:
    """The same on a throwaway PostgreSQL database (skipped, or failed in CI, without PostgreSQL)."""
    skip_or_fail_without_postgres()
    workdir = tmp_path_factory.mktemp("live-postgres")
    with temporary_postgres_database() as url:
        yield from _serve(workdir, url, smtp_server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if postgres_required():
            pytest.fail(message + "; browser tests must run in CI", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A 360 x 740 touch viewport, the narrowest phone the product supports."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, server: LiveServer, email: str, password: str = "demo-password-2026") -> None:
    page.goto(server.url + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("[data-testid=sign-in]")
    page.wait_for_load_state("networkidle")
