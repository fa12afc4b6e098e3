"""Dashboards and workbooks read from a real streaming replica, unless it is behind, down, or behind you.

Each test reads a record that exists on the primary only while the replica's replay is paused, so
which server answered shows in what the page says, not in a header the app could set regardless.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask

from config import ConfigError
from indirect_work import create_app
from indirect_work.core.routing_session import dispose_replica_engine
from indirect_work.extensions import db
from indirect_work.taxonomy.services import load_reference_data
from tests import dbutil, pg_replica
from tests.conftest import IWClient
from tests.factories import Factory


@pytest.fixture(scope="module")
def pair() -> Iterator[pg_replica.Pair]:
    reason = pg_replica.unavailable_reason()
    if reason:
        if dbutil.postgres_required():
            pytest.fail(f"{reason}; the replica tests must run in CI", pytrace=False)
        pytest.skip(reason)
    with pg_replica.primary_and_replica() as running:
        yield running


@pytest.fixture(scope="module")
def app(pair: pg_replica.Pair) -> Iterator[Flask]:
    app = create_app(
        {
            "IW_CONFIG": "testing",
            "SQLALCHEMY_DATABASE_URI": pair.primary_url,
            "IW_REPLICA_DATABASE_URL": pair.replica_url,
            "IW_REPLICA_MAX_LAG_SECONDS": 3600,
            "IW_REPLICA_RETRY_SECONDS": 60,
        }
    )
    app.test_client_class = IWClient
    with app.app_context():
        db.create_all()
        load_reference_data()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    dispose_replica_engine(app)


@pytest.fixture
def world(app: Flask, pair: pg_replica.Pair) -> Iterator[dict[str, Any]]:
    """A team with a lead and a clinician, one record on both servers, and a signed-in lead."""
    pair.resume_replay()
    with app.app_context():
        make = Factory()
        team = make.team()
        lead, clinician = make.lead(team), make.clinician(team)
        make.activity(clinician, team, note="Consultation on both servers", activity_on=date.today())
        db.session.commit()
        ids = {"team": team.id, "clinician": clinician.id, "organisation": team.organisation_id}
        client = app.test_client()
        signed_in = client.post_form("/sign-in", {"email": lead.email, "password": Factory.PASSWORD})
        assert signed_in.status_code == 302
    pair.wait_until_replayed()
    yield {**ids, "client": client, "app": app}
    if not pair.replica_stopped:
        pair.resume_replay()


def add_on_primary_only(app: Flask, world: dict[str, Any], pair: pg_replica.Pair, note: str) -> None:
    """Pause the replica's replay, then commit a record the replica cannot have yet."""
    pair.pause_replay()
    with app.app_context():
        from indirect_work.auth.models import User
        from indirect_work.org.models import Team

        clinician = db.session.get(User, world["clinician"])
        Factory().activity(
            clinician, db.session.get(Team, world["team"]), note=note, activity_on=date.today()
        )
        db.session.commit()


def records_csv(world: dict[str, Any]) -> str:
    response = world["client"].get(f"/dashboard/teams/{world['team']}/records.csv")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_dashboard_reads_from_the_replica_when_it_has_your_writes(world, pair):
    add_on_primary_only(world["app"], world, pair, "Written while the replica was paused")
    text = records_csv(world)
    assert "Consultation on both servers" in text
    assert "Written while the replica was paused" not in text  # answered by the replica
    page = world["client"].get(f"/dashboard/teams/{world['team']}")
    assert page.status_code == 200
    pair.resume_replay()
    pair.wait_until_replayed()
    assert "Written while the replica was paused" in records_csv(world)


def test_after_your_own_write_the_primary_answers_until_the_replica_has_it(world, pair):
    add_on_primary_only(world["app"], world, pair, "Another clinician's late record")
    month = date.today().replace(day=1)
    previous = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1).strftime("%Y-%m")
    locked = world["client"].post_form(f"/dashboard/teams/{world['team']}/months/{previous}/lock")
    assert locked.status_code in (302, 303)
    assert "Another clinician's late record" in records_csv(world)  # the replica lacks the lock


def test_a_replica_too_far_behind_is_passed_over(world, pair):
    app = world["app"]
    add_on_primary_only(app, world, pair, "Record the lagging replica lacks")
    app.config["IW_REPLICA_MAX_LAG_SECONDS"] = 1
    try:
        time.sleep(1.5)
        assert "Record the lagging replica lacks" in records_csv(world)
    finally:
        app.config["IW_REPLICA_MAX_LAG_SECONDS"] = 3600


def test_a_replica_needs_postgresql_for_both_servers():
    with pytest.raises(ConfigError, match="PostgreSQL for both"):
        create_app(
            {
                "IW_CONFIG": "testing",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "IW_REPLICA_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/iw",
            }
        )


def test_a_workbook_read_from_the_replica_writes_its_audit_row_to_the_primary(world, pair):
    app = world["app"]
    with app.app_context():
        from indirect_work.org.models import Organisation

        organisation = db.session.get(Organisation, world["organisation"])
        commissioner = Factory().commissioner(organisation)
        db.session.commit()
        email = commissioner.email
    client = app.test_client()
    assert client.post_form("/sign-in", {"email": email, "password": Factory.PASSWORD}).status_code == 302
    pair.wait_until_replayed()
    pair.pause_replay()
    before = pair.sql(pair.primary_port, "SELECT count(*) FROM audit_events")
    month = date.today().strftime("%Y-%m")
    response = client.get(
        f"/commissioner-reports/workbook?organisation={world['organisation']}&month={month}"
    )
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert pair.sql(pair.primary_port, "SELECT count(*) FROM audit_events") == before + 1
    assert pair.sql(pair.replica_port, "SELECT count(*) FROM audit_events") == before  # not replayed yet


def test_a_replica_that_is_down_leaves_every_page_working_from_the_primary(world, pair):
    # Runs last in this module: it stops the replica for good.
    add_on_primary_only(world["app"], world, pair, "Record only the primary will serve")
    pair.stop_replica()
    assert "Record only the primary will serve" in records_csv(world)
    assert world["client"].get(f"/dashboard/teams/{world['team']}").status_code == 200
