"""Backups restore faithfully (row counts and checksums), and the retention purge removes only old records."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity, activity_recipients
from indirect_work.extensions import db as _db
from indirect_work.ops.backup import compare, fingerprints, pg_command_url
from indirect_work.ops.retention import purge_expired
from tests.factories import Factory


def _add_activities(app, count, **kw):
    with app.app_context():
        make = Factory()
        clinician = make.clinician()
        for n in range(count):
            make.activity(clinician, duration_minutes=10 + n, **kw)
        _db.session.commit()
        _db.session.remove()


def test_backup_restore_and_retention(fresh_app, db_backend, tmp_path):
    """Restore drill: an online backup of the live database matches it table by table."""
    app = fresh_app()
    _add_activities(app, 25)
    runner = app.test_cli_runner()
    output = tmp_path / ("backup.sqlite3" if db_backend == "sqlite" else "backup.dump")
    if db_backend == "sqlite":
        # Keep a connection open so committed rows stay in the WAL file, not yet in the main file.
        with app.app_context():
            holder = sqlite3.connect(_db.engine.url.database)
        _add_activities(app, 5)
        result = runner.invoke(args=["backup", "--output", str(output)])
        assert result.exit_code == 0, result.output
        drill = runner.invoke(args=["restore-check", str(output)])
        assert drill.exit_code == 0 and "every checksum matches" in drill.output, drill.output
        with sqlite3.connect(output) as restored:
            assert restored.execute("SELECT count(*) FROM activities").fetchone()[0] == 30
            assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # A change after the backup is caught by the drill (it can fail).
        _add_activities(app, 1)
        stale = runner.invoke(args=["restore-check", str(output)])
        assert stale.exit_code == 1 and "activities: 31 rows live, 30 in the backup" in stale.output
        holder.close()
    else:
        result = runner.invoke(args=["backup", "--output", str(output)])
        assert result.exit_code == 0, result.output
        _restore_postgres_and_compare(app, output)


def _restore_postgres_and_compare(app, dump: Path):
    import subprocess

    from tests import dbutil

    with dbutil.temporary_postgres_database() as restored_url:
        subprocess.run(
            ["pg_restore", "--no-owner", "--dbname", pg_command_url(restored_url), str(dump)],
            check=True,
            capture_output=True,
        )
        restored = create_engine(restored_url)
        with app.app_context():
            live = fingerprints(_db.engine)
        copy = fingerprints(restored)
        restored.dispose()
    assert live["activities"].rows == 25
    assert compare(live, copy) == []


def test_plain_file_copy_of_a_live_wal_database_can_lose_data(fresh_app, db_backend, tmp_path):
    """Why the backup uses SQLite's backup API: the main file alone lacks what is still in the WAL."""
    if db_backend != "sqlite":
        pytest.skip("WAL is SQLite's")
    app = fresh_app()
    with app.app_context():
        path = _db.engine.url.database
    holder = sqlite3.connect(path)
    _add_activities(app, 3)
    shutil.copy(path, tmp_path / "copy.sqlite3")
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        copied = copy.execute("SELECT count(*) FROM activities").fetchone()[0]
    holder.close()
    assert copied < 3


def test_retention_purge_removes_only_expired_records(app, db, make, monkeypatch):
    monkeypatch.setitem(app.config, "IW_RETENTION_MONTHS", 12)
    clinician = make.clinician()
    today = date(2026, 11, 22)
    old = make.activity(clinician, activity_on=date(2025, 10, 31))
    boundary = make.activity(clinician, activity_on=date(2025, 11, 1))
    recent = make.activity(clinician, activity_on=date(2026, 11, 1))
    old_id, kept = old.id, {boundary.id, recent.id}
    others_before = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.id.notin_([old_id, *kept]))
    )
    others_expired = db.session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.activity_on < date(2025, 11, 1), Activity.id.notin_([old_id, *kept]))
    )

    preview = purge_expired(today=today, dry_run=True)
    assert preview.activities == 1 + others_expired and db.session.get(Activity, old_id) is not None

    summary = purge_expired(today=today)
    db.session.expire_all()
    assert summary.cutoff == date(2025, 11, 1)
    assert summary.activities == 1 + others_expired
    assert db.session.get(Activity, old_id) is None
    assert {a.id for a in db.session.scalars(select(Activity).where(Activity.id.in_(kept)))} == kept
    assert db.session.scalar(select(func.count()).select_from(Activity)) == others_before - others_expired + 2
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(activity_recipients)
            .where(activity_recipients.c.activity_id == old_id)
        )
        == 0
    )
    runs = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention.purge").order_by(AuditEvent.id)
        )
    )
    assert [r.details["dry_run"] for r in runs] == [True, False]
    assert runs[-1].details["cutoff"] == "2025-11-01" and runs[-1].details["months"] == 12


def test_purge_command_is_audited(fresh_app):
    app = fresh_app(IW_RETENTION_MONTHS=1)
    _add_activities(app, 2, activity_on=date(2020, 1, 15))
    _add_activities(app, 1)
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "Removed 2 activities" in result.output
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(Activity)) == 1
        event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention.purge"))
        assert event.details["activities"] == 2 and event.actor_id is None
