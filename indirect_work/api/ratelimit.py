"""Fixed-window request limits for the API, shared across workers through Redis in production.

``IW_API_RATE_LIMIT_STORAGE_URI`` chooses where the counters live: ``memory://`` (one process:
development and tests) or ``redis://host:port/db`` (every gunicorn worker and server shares the
count; production). ``IW_API_RATE_LIMIT_PER_MINUTE`` is how many requests one user (or, before
signing in, one client address) may make per minute. If Redis cannot be reached the request is
let through and the problem logged: an outage of the counter never takes the API down with it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask, current_app

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    #: Seconds until the current window ends (what ``Retry-After`` says when refused).
    reset_in: int


class Store(Protocol):
    def incr(self, key: str, window: int) -> int: ...


class MemoryStore:
    """Counters in this process only (fine for one worker; the default outside production)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, window: int) -> int:
        with self._lock:
            if len(self._counts) > 10_000:  # old windows: drop them all rather than grow forever
                self._counts = {k: v for k, v in self._counts.items() if k.endswith(f":{window}")}
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]


class RedisStore:
    """Counters in Redis: ``INCR`` plus an expiry, atomic across every worker."""

    def __init__(self, uri: str) -> None:
        import redis  # deliberately lazy: an optional dependency, needed only when Redis is configured

        self._client: Any = redis.Redis.from_url(uri, socket_timeout=0.5, socket_connect_timeout=0.5)

    def incr(self, key: str, window: int) -> int:
        pipe = self._client.pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2)
        count, _ = pipe.execute()
        return int(count)


def make_store(uri: str) -> Store:
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(uri)
    if uri.startswith("memory://"):
        return MemoryStore()
    raise ValueError(f"IW_API_RATE_LIMIT_STORAGE_URI must be memory:// or redis://..., not {uri!r}")


def init_rate_limits(app: Flask) -> None:
    default = 100_000 if app.testing else 120
    app.config.setdefault(
        "IW_API_RATE_LIMIT_PER_MINUTE", int(os.environ.get("IW_API_RATE_LIMIT_PER_MINUTE") or default)
    )
    app.config.setdefault(
        "IW_API_RATE_LIMIT_STORAGE_URI", os.environ.get("IW_API_RATE_LIMIT_STORAGE_URI") or "memory://"
    )
    app.extensions["iw_api_rate_limit"] = make_store(app.config["IW_API_RATE_LIMIT_STORAGE_URI"])
    if app.config.get("IW_CONFIG_NAME") == "production" and isinstance(
        app.extensions["iw_api_rate_limit"], MemoryStore
    ):
        app.logger.warning(
            "API rate limits are counted per worker: set IW_API_RATE_LIMIT_STORAGE_URI=redis://..."
        )


def check(identity: str, *, now: float | None = None) -> Verdict:
    """Count one request for ``identity`` and say whether it is within the limit."""
    limit = int(current_app.config["IW_API_RATE_LIMIT_PER_MINUTE"])
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    reset_in = max(1, int((window + 1) * WINDOW_SECONDS - now))
    store: Store = current_app.extensions["iw_api_rate_limit"]
    try:
        count = store.incr(f"iw:api-rate:{identity}:{window}", window)
    except Exception:  # noqa: BLE001 - the counter is down: serve rather than refuse everyone
        current_app.logger.exception("API rate limit counter unavailable")
        return Verdict(True, limit, limit, reset_in)
    return Verdict(count <= limit, limit, max(0, limit - count), reset_in)
