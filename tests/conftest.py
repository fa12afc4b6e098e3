"""Shared fixtures: the app on each database, per-test transaction isolation, clients, factories.

Every database test runs twice, on SQLite and on PostgreSQL (``db_backend`` parameter). Each test
runs inside one outer transaction that is rolled back at teardown; the session joins it with
SAVEPOINTs, so views that commit or roll back stay isolated. CSRF protection stays on: the test
client adds a valid token to form posts unless told not to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from indirect_work import create_app
from indirect_work.extensions import db as _db
from tests import dbutil
from tests.factories import Factory

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        dbutil.skip_or_fail_without_postgres()
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(db_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if db_backend == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.sqlite3")
    else:
        with dbutil.temporary_postgres_database() as url:
            yield url


class IWClient(FlaskClient):
    """Test client whose form posts carry a valid CSRF token (``csrf=False`` leaves it out).

    Requests made while the test holds an app context (the ``db`` fixture) share that context's
    ``g`` and database session, so Flask-Login's cached user and Flask-WTF's cached CSRF token
    would leak from one request (or client) to the next, and a request's rollback would discard
    the test's own unsaved data; each request therefore starts without the cached user and token
    and with the test's data committed (inside the test's outer transaction), as it would in a
    real server.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from flask import g, has_app_context

        if has_app_context():
            g.pop("_login_user", None)
            g.pop("csrf_token", None)  # Flask-WTF caches the token of the last client's session in g
            # What the test built is in the database before the request, as it would be in real
            # use: a request that rolls back (a refused form) undoes only its own work.
            _db.session.commit()
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            if "csrf_token" not in sess:
                import hashlib
                import os

                sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = sess["csrf_token"]
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return str(serializer.dumps(raw))

    def post_form(
        self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def build_test_app(database_url: str) -> Flask:
    """A testing app on ``database_url`` with a fresh schema and the reference data loaded."""
    from indirect_work.taxonomy.services import load_reference_data

    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = IWClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        load_reference_data()
        _db.session.commit()
    return app


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = build_test_app(database_url)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Any]:
    """Each test runs inside one outer transaction that is rolled back at the end."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[index]
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine  # type: ignore[index]


@pytest.fixture
def client(app: Flask, db: Any) -> IWClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def make(db: Any) -> Factory:
    """Builders for organisations, teams, users and activities (flushed, rolled back after)."""
    return Factory()


@pytest.fixture
def login(client: IWClient) -> Any:
    """``login(user)`` signs the test client in through the real sign-in form."""

    def _login(user: Any, password: str = Factory.PASSWORD, target: IWClient | None = None) -> Any:
        c = target or client
        response = c.post_form("/sign-in", {"email": user.email, "password": password})
        assert response.status_code == 302, f"sign-in failed for {user.email}: {response.status_code}"
        return response

    return _login


def extract_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free local port for the whole run."""
    from tests.mailbox import running_smtp_server

    with running_smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(app: Flask, smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Email on for this test, delivered to the suite's SMTP server; starts empty."""
    smtp_server.clear()
    monkeypatch.setitem(app.config, "IW_SMTP_HOST", smtp_server.host)
    monkeypatch.setitem(app.config, "IW_SMTP_RETRY_SECONDS", 0.01)
    monkeypatch.setitem(app.config, "IW_SMTP_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "IW_SMTP_STARTTLS", False)
    monkeypatch.setitem(app.config, "IW_MAIL_FROM", "Indirect Work <no-reply@example.nhs.uk>")
    yield smtp_server
    smtp_server.clear()
