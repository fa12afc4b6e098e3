"""Faults, nothing lost: an error in the middle of a write, a full disk, twenty writers at once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity, activity_recipients
from indirect_work.extensions import db as _db
from tests.capture.helpers import form_for
from tests.factories import Factory


def counts(db):
    return (
        db.session.scalar(select(func.count()).select_from(Activity)),
        db.session.scalar(select(func.count()).select_from(activity_recipients)),
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "activity.create")
        ),
    )


class FailOn:
    """Raise ``error`` when a statement starting with ``prefix`` runs (after earlier writes succeeded)."""

    def __init__(self, prefix, error):
        self.prefix, self.error, self.fired = prefix, error, 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(self.prefix) and not self.fired:
            self.fired += 1
            raise self.error


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (RuntimeError("injected fault"), 500, "Sorry, there is a problem with the service"),
        (
            OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly")),
            503,
            "nothing was saved",
        ),
    ],
)
def test_atomic_fault_tolerance(client, make, login, db, error, status, message):
    """The activity and its recipients are written, then the audit row fails: nothing may remain."""
    team = make.team()
    login(make.clinician(team))
    before = counts(db)
    fault = FailOn("INSERT INTO AUDIT_EVENTS", error)
    connection = db.engine  # the test's connection (see tests/conftest.py)
    event.listen(connection, "before_cursor_execute", fault)
    try:
        form = form_for(team, submission_token="fault-token-1")
        response = client.post_form("/log", form)
    finally:
        event.remove(connection, "before_cursor_execute", fault)
    assert fault.fired == 1
    assert response.status_code == status
    assert message in response.text and "injected" not in response.text and "Traceback" not in response.text
    assert counts(db) == before  # no partial rows
    # The next request works, and the same form (same submission token) saves exactly once.
    assert client.post_form("/log", form).status_code == 302
    assert client.post_form("/log", form).status_code == 302
    assert counts(db)[0] == before[0] + 1 and counts(db)[2] == before[2] + 1


def _sign_in_clinician(app, team_kwargs=None):
    with app.app_context():
        make = Factory()
        team = make.team()
        user = make.clinician(team)
        email, team_id = user.email, team.id
        _db.session.commit()
        _db.session.remove()
    client = app.test_client()
    assert client.post_form("/sign-in", {"email": email, "password": Factory.PASSWORD}).status_code == 302
    return client, team_id


class TeamRef:
    def __init__(self, team_id):
        self.id = team_id


def _form(app, team_id, token):
    with app.app_context():
        return form_for(TeamRef(team_id), submission_token=token)


def test_sqlite_disk_full(fresh_app, db_backend):
    if db_backend != "sqlite":
        pytest.skip("PRAGMA max_page_count is SQLite's")
    app = fresh_app()
    client, team_id = _sign_in_clinician(app)
    with app.app_context():
        engine = _db.engine
        with engine.connect() as conn:
            pages = conn.execute(text("PRAGMA page_count")).scalar()

        def cap(dbapi_conn, _record):
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(engine, "connect", cap)
        engine.dispose()
    statuses = Counter()
    for n in range(1000):
        response = client.post_form("/log", _form(app, team_id, f"disk-{n}"))
        statuses[response.status_code] += 1
        if response.status_code != 302:
            break
    assert response.status_code == 503, statuses
    assert "run out of space, so nothing was saved" in response.text
    with app.app_context():
        saved = _db.session.scalar(select(func.count()).select_from(Activity))
        audited = _db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "activity.create")
        )
        orphans = _db.session.scalar(
            text(
                "SELECT count(*) FROM activity_recipients"
                " WHERE activity_id NOT IN (SELECT id FROM activities)"
            )
        )
        _db.session.remove()
        assert saved == audited == statuses[302] and orphans == 0  # the failed request left nothing
        event.remove(engine, "connect", cap)
        engine.dispose()
    # Space comes back: the same form saves, once.
    retry = client.post_form("/log", _form(app, team_id, f"disk-{n}"))
    assert retry.status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Activity)) == saved + 1


#: Writes per thread: enough for every thread to queue many times behind the others.
PER_THREAD = 20


def test_sqlite_concurrency(fresh_app, db_backend):
    """20 threads x 20 form posts at once through the whole app: every one saved, none "locked"."""
    if db_backend != "sqlite":
        pytest.skip("SQLite's single-writer lock is what is under test")
    app = fresh_app()
    clients = [_sign_in_clinician(app) for _ in range(20)]
    errors: list[str] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def writer(index, client, team_id):
        forms = [_form(app, team_id, f"thread-{index}-{n}") for n in range(PER_THREAD)]
        barrier.wait()
        for form in forms:
            response = client.post_form("/log", form)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code != 302:
                    errors.append(f"{response.status_code}: {response.text[-600:]}")

    threads = [threading.Thread(target=writer, args=(i, c, t)) for i, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [e for e in errors if "locked" in e.lower() or "not available" in e]
    assert errors == [] and statuses == Counter({302: 20 * PER_THREAD})
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Activity)) == 20 * PER_THREAD
        _db.session.remove()
        with _db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
