"""The job queue: RQ on Redis when ``IW_REDIS_URL`` is set; without it every job runs inline.

A job is a plain module-level function that works inside the app context (the worker pushes it,
see :mod:`indirect_work.jobs.cli`) and commits through ``unit_of_work``. It must be safe to run again:
RQ retries a failed job, or one whose worker died (``IW_JOB_RETRIES`` times, waiting
``IW_JOB_RETRY_SECONDS``, then 6 and 30 times as long), so a job guards
against doing its work twice (a reminder, for example, is claimed by its unique row first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

#: Each retry of a failed job waits this many times ``IW_JOB_RETRY_SECONDS``.
RETRY_FACTORS = [1, 6, 30]
#: A job running longer than this is stopped (and retried).
JOB_TIMEOUT_SECONDS = 600
#: Failed jobs (with their error) are kept this long for the admin to see.
FAILURE_TTL_SECONDS = 7 * 24 * 3600


def queue_enabled() -> bool:
    return bool(current_app.config.get("IW_REDIS_URL"))


def redis_connection() -> Any:
    import redis  # deliberately lazy: only needed when Redis is configured

    return redis.Redis.from_url(current_app.config["IW_REDIS_URL"])


def job_queue() -> Any:
    from rq import Queue

    return Queue(current_app.config["IW_JOB_QUEUE"], connection=redis_connection())


def current_job_id() -> str | None:
    """The id of the queued job running now; None inline (no worker)."""
    if not queue_enabled():
        return None
    from rq import get_current_job

    job = get_current_job()
    return None if job is None else str(job.id)


def enqueue(job: Callable[..., Any], *args: Any) -> str | None:
    """Queue ``job(*args)`` and return its id; with no Redis, run it now and return None."""
    if not queue_enabled():
        job(*args)
        return None
    from rq import Retry

    retries = int(current_app.config["IW_JOB_RETRIES"])
    base = int(current_app.config["IW_JOB_RETRY_SECONDS"])
    intervals = [base * RETRY_FACTORS[min(n, len(RETRY_FACTORS) - 1)] for n in range(retries)]
    queued = job_queue().enqueue(
        job,
        *args,
        retry=Retry(max=retries, interval=intervals) if retries else None,
        job_timeout=JOB_TIMEOUT_SECONDS,
        failure_ttl=FAILURE_TTL_SECONDS,
    )
    return str(queued.id)


@dataclass(frozen=True)
class QueueStatus:
    """What the admin sees of the queue: waiting, running and failed jobs, and the latest errors."""

    reachable: bool
    waiting: int = 0
    running: int = 0
    failed: int = 0
    errors: tuple[tuple[str, str], ...] = ()


def queue_status(limit: int = 10) -> QueueStatus | None:
    """The queue's state; None without a queue, ``reachable=False`` when Redis does not answer."""
    if not queue_enabled():
        return None
    import redis

    try:
        queue = job_queue()
        failed = queue.failed_job_registry
        errors = []
        for job in queue.job_class.fetch_many(failed.get_job_ids(0, limit - 1), connection=queue.connection):
            if job is not None:
                result = job.latest_result()
                text = (getattr(result, "exc_string", None) or "").strip().splitlines()[-1:] or [""]
                errors.append((job.func_name or "", text[0][:300]))
        return QueueStatus(True, len(queue), queue.started_job_registry.count, failed.count, tuple(errors))
    except redis.RedisError:
        return QueueStatus(False)
