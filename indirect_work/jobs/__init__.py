"""Work off the request path: an RQ queue on Redis when ``IW_REDIS_URL`` is set, else run inline."""

from indirect_work.jobs.queue import current_job_id, enqueue, queue_enabled

__all__ = ["current_job_id", "enqueue", "queue_enabled"]
