"""With IW_REDIS_URL set, reminders and reset emails go through the real local Redis and an RQ worker."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from indirect_work.reminders import services
from indirect_work.reminders.models import SentReminder
from tests.mail.test_reminders import TODAY, _weekly_world
from tests.mailbox import link_in

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_queue(app, monkeypatch):
    """A throwaway queue on the local Redis, emptied and deleted afterwards."""
    import redis
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    name = f"iw-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "IW_REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "IW_JOB_QUEUE", name)
    queue = Queue(name, connection=connection)
    yield queue
    queue.delete(delete_jobs=True)


def _work(queue) -> None:
    """Run every waiting job in this process (inside the test's app context), as ``flask run-jobs`` does."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_queued_reminders_are_sent_by_the_worker_once(make, db, mailbox, redis_queue):
    _team, silent, last_week_only = _weekly_world(make, db)
    outcomes = services.send_reminders(["weekly"], TODAY)
    assert {o.result for o in outcomes} == {"queued"} and len(redis_queue) == 2
    assert mailbox.messages == []
    _work(redis_queue)
    assert sorted(m["To"] for m in mailbox.wait_for(2)) == sorted([silent.email, last_week_only.email])
    assert {r.status for r in db.session.scalars(select(SentReminder))} == {"sent"}
    assert services.send_reminders(["weekly"], TODAY) == []
    # A job run twice (a retry after a worker died) sends nothing more: the row is claimed.
    assert services.send_one(outcomes[0].planned) == "skipped"
    assert len(mailbox.messages) == 2


def test_the_reset_email_is_sent_by_the_worker(client, make, db, mailbox, redis_queue):
    user = make.clinician()
    assert client.post_form("/sign-in/forgotten-password", {"email": user.email}).status_code == 200
    assert len(redis_queue) == 1 and mailbox.messages == []
    _work(redis_queue)
    assert "/set-password/" in link_in(mailbox.wait_for(1)[0])


def test_without_redis_jobs_run_inline_and_no_worker_is_needed(app, make, db, mailbox):
    _weekly_world(make, db)
    assert {o.result for o in services.send_reminders(["weekly"], TODAY)} == {"sent"}
    result = app.test_cli_runner().invoke(args=["run-jobs", "--burst"])
    assert result.exit_code != 0 and "IW_REDIS_URL is not set" in result.output


def test_the_admin_page_shows_the_queue_and_failed_jobs(client, make, db, login, redis_queue, mailbox):
    from rq import SimpleWorker

    redis_queue.enqueue("indirect_work.mail.deliver", None)  # fails: there is no email to deliver
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    login(make.admin())
    page = client.get("/admin/email").get_data(as_text=True)
    assert "0 waiting, 0 running, 1 failed" in page
    assert "indirect_work.mail.deliver" in page and "AttributeError" in page
