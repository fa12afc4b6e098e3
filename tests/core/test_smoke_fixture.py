"""The isolation fixture: data written (and committed) by one test is gone in the next."""

import pytest
from sqlalchemy import func, select

from indirect_work.org.models import Organisation

#: The backends on which the writing test committed its organisation, so the check below is not vacuous.
WRITTEN: set[str] = set()


def isolation_rows(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Organisation).where(Organisation.ods_code == "ISO01")
    )


def test_fixture_isolation_writes(make, db, db_backend):
    make.organisation(ods_code="ISO01")
    db.session.commit()  # what a view's commit point does: the fixture must undo even this
    assert isolation_rows(db) == 1
    WRITTEN.add(db_backend)


def test_fixture_isolation_rolled_back(db, db_backend):
    if db_backend not in WRITTEN:
        pytest.skip("runs after test_fixture_isolation_writes; that test was not selected")
    assert isolation_rows(db) == 0
