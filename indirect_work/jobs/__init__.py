"""Work off the request path: an RQ queue on Redis when ``IW_REDIS_URL`` is set, else run inline."""

from indirect_work.jobs.queue import enqueue, queue_enabled

__all__ = ["enqueue", "queue_enabled"]
