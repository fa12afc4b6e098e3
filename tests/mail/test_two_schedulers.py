"""Two schedulers at once: two real ``flask send-reminders`` processes never remind anyone twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import func, select

from indirect_work import create_app
from indirect_work.extensions import db as _db
from indirect_work.reminders.models import SentReminder
from tests.factories import Factory
from tests.live import ROOT, _database

PEOPLE = 40


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_concurrent_runs_send_each_reminder_once(backend, tmp_path, smtp_server):
    from indirect_work.taxonomy.services import load_reference_data

    with _database(backend, tmp_path) as url:
        app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            _db.create_all()
            load_reference_data()
            make = Factory()
            team = make.team()
            emails = {make.clinician(team, email=f"c{n}@example.nhs.uk").email for n in range(PEOPLE)}
            _db.session.commit()
        smtp_server.clear()
        smtp_server.delay = 0.02  # a slow server: the two runs overlap
        env = {
            **os.environ,
            "IW_CONFIG": "testing",
            "DATABASE_URL": url,
            "IW_SMTP_HOST": smtp_server.host,
            "IW_SMTP_PORT": str(smtp_server.port),
            "IW_SMTP_STARTTLS": "0",
        }
        command = [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "indirect_work",
            "send-reminders",
            "--kind",
            "weekly",
        ]
        runs = [subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in "ab"]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        results = Counter(line.split()[0] for out in outputs for line in out.splitlines()[:-1])
        assert results["sent"] == PEOPLE  # the rest, if the runs overlapped, were "skipped"
        try:
            received = Counter(m["To"] for m in smtp_server.messages)
            assert set(received) == emails and set(received.values()) == {1}
            with app.app_context():
                rows = _db.session.scalar(select(func.count()).select_from(SentReminder))
                assert rows == PEOPLE
                _db.session.remove()
                _db.drop_all()
                _db.engine.dispose()
        finally:
            smtp_server.clear()
