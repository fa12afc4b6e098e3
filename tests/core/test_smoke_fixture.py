"""The isolation fixture: data written by one test is gone in the next."""

from sqlalchemy import func, select

from indirect_work.org.models import Organisation


def test_fixture_isolation_writes(make, db):
    make.organisation(ods_code="ISO01")
    assert (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.ods_code == "ISO01")
        )
        == 1
    )


def test_fixture_isolation_rolled_back(db):
    assert (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.ods_code == "ISO01")
        )
        == 0
    )
