"""Fixtures of the core tests: an app on an empty database of each kind, for migration tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from indirect_work import create_app
from indirect_work.extensions import db
from tests import dbutil


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """An app whose database has no tables yet, so a test can run the migrations on it."""
    if request.param == "sqlite":
        app = create_app(
            {"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.sqlite3"}
        )
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    else:
        dbutil.skip_or_fail_without_postgres()
        with dbutil.temporary_postgres_database() as url:
            app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
            yield app
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
