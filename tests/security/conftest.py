"""Fixtures for the security and reliability tests.

``fresh_app`` builds apps on a database of their own (not the rolled-back test transaction), for tests
that need real commits seen by several apps (several "workers"), a production configuration, or a
database that goes away. It follows the session's backend (SQLite and PostgreSQL).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pyotp
import pytest
from flask import Flask

from indirect_work import create_app
from indirect_work.extensions import db as _db
from tests import dbutil
from tests.conftest import IWClient

STRONG_SECRET = "k9V2pQx7Lm4Zr8Tw1Yb6Nc3Hd5Jf0Gs2Ua7Ee4Ri9Oo1"


@pytest.fixture
def mfa_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Require two-step verification for admins and team leads, as production does."""
    monkeypatch.setitem(app.config, "IW_MFA_REQUIRED_ROLES", ("admin", "team_lead"))


def totp_code(user: Any, offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(user.mfa_secret)
    return totp.generate_otp(totp.timecode(time.time()) + offset_steps)


def enrol(client: IWClient, user: Any, password: str) -> list[str]:
    """Set up two-step verification through the pages; returns the recovery codes shown."""
    assert client.post_form("/account/two-step/start", {"current_password": password}).status_code == 302
    from indirect_work.extensions import db

    db.session.refresh(user)
    response = client.post_form("/account/two-step", {"code": totp_code(user)})
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.refresh(user)
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))


@pytest.fixture
def fresh_database_url(db_backend: str, tmp_path: Any) -> Iterator[str]:
    """An empty database with the schema and reference data, dropped after the test."""
    with ExitStack() as stack:
        if db_backend == "sqlite":
            url = f"sqlite:///{tmp_path}/fresh.sqlite3"
        else:
            url = stack.enter_context(dbutil.temporary_postgres_database())
        app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            _db.create_all()
            from indirect_work.taxonomy.services import load_reference_data

            load_reference_data()
            _db.session.commit()
            _db.session.remove()
            _db.engine.dispose()
        yield url


@pytest.fixture
def fresh_app(fresh_database_url: str) -> Iterator[Callable[..., Flask]]:
    """``fresh_app(**overrides)`` builds an app on the fresh database (several may share it)."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        settings = {"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": fresh_database_url, **overrides}
        app = create_app(settings)
        app.test_client_class = IWClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()


def production_settings(url: str, **overrides: Any) -> dict[str, Any]:
    """Settings that pass the production guard on the given database."""
    return {
        "IW_CONFIG": "production",
        "SECRET_KEY": STRONG_SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "IW_ALLOW_SQLITE_IN_PRODUCTION": True,
        "IW_API_RATE_LIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        **overrides,
    }


def add_user(app: Flask, kind: str = "clinician", **kw: Any) -> str:
    """Create and commit a user on a fresh app's database; returns the email."""
    from tests.factories import Factory

    with app.app_context():
        user = getattr(Factory(), kind)(**kw)
        email = user.email
        _db.session.commit()
        _db.session.remove()
    return email
