"""A worker killed with SIGKILL in the middle of sending a reminder: the job is retried, sent once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import select

from indirect_work import create_app
from indirect_work.core.db import utcnow
from indirect_work.extensions import db as _db
from indirect_work.reminders import services
from indirect_work.reminders.models import SentReminder
from tests.factories import Factory
from tests.live import ROOT, _database

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return connection


def _wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_worker_s_reminder_is_retried_and_sent_once(tmp_path, smtp_server):
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from indirect_work.taxonomy.services import load_reference_data

    connection = _redis_or_skip()
    queue_name = f"iw-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "IW_REDIS_URL": REDIS_URL,
        "IW_JOB_QUEUE": queue_name,
        "IW_JOB_RETRY_SECONDS": "0",
        "IW_SMTP_HOST": smtp_server.host,
        "IW_SMTP_PORT": str(smtp_server.port),
        "IW_SMTP_STARTTLS": "0",
    }
    queue = Queue(queue_name, connection=connection)
    with _database("sqlite", tmp_path) as url:
        app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url, **settings})
        app.config.update(IW_JOB_RETRY_SECONDS=0, IW_SMTP_PORT=smtp_server.port, IW_SMTP_STARTTLS=False)
        env = {**os.environ, "IW_CONFIG": "testing", "DATABASE_URL": url, **settings}
        worker = [sys.executable, "-m", "flask", "--app", "indirect_work", "run-jobs"]
        smtp_server.clear()
        try:
            with app.app_context():
                _db.create_all()
                load_reference_data()
                person = Factory().clinician(email="forgetful@example.nhs.uk")
                _db.session.commit()
                (outcome,) = services.send_reminders(["weekly"], utcnow().date())
                assert outcome.result == "queued"

            smtp_server.recipient_delay = 60  # the worker is stuck talking to the SMTP server
            first = subprocess.Popen(worker, env=env, cwd=ROOT)
            _wait(lambda: smtp_server.recipients_seen >= 1)
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            smtp_server.recipient_delay = 0
            with app.app_context():
                row = _db.session.scalar(select(SentReminder).where(SentReminder.user_id == person.id))
                assert row is not None and row.status == "sending" and row.job_id
                _db.session.remove()

            # The abandoned job is found (as any worker's maintenance would) and retried.
            StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 3600)
            assert len(queue) == 1
            subprocess.run([*worker, "--burst"], env=env, cwd=ROOT, check=True, timeout=60)

            assert [m["To"] for m in smtp_server.wait_for(1)] == [person.email]
            time.sleep(0.5)
            assert len(smtp_server.messages) == 1
            with app.app_context():
                row = _db.session.scalar(select(SentReminder).where(SentReminder.user_id == person.id))
                assert row is not None and row.status == "sent"
                _db.session.remove()
                _db.engine.dispose()
        finally:
            smtp_server.clear()
            queue.delete(delete_jobs=True)
