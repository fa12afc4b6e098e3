"""Production defaults for ``gunicorn wsgi:app``; each can be overridden on the command line."""

import multiprocessing
import os

bind = os.environ.get("IW_BIND", "127.0.0.1:8000")
# Sync workers: (2 x cores) + 1 is gunicorn's own starting point for I/O-bound apps.
workers = int(os.environ.get("IW_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take a worker down at month end.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("IW_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("IW_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No runtime control socket in the home folder: workers are managed by the service manager.
control_socket_disable = True


def post_fork(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    """Give each worker its own database connections: pooled sockets must not cross a fork."""
    from indirect_work.extensions import db
    from wsgi import app

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
