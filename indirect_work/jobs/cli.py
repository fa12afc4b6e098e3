"""``flask run-jobs``: a worker that runs the queued jobs inside the app context."""

from __future__ import annotations

import click

from indirect_work.jobs.queue import job_queue, queue_enabled, redis_connection


@click.command("run-jobs")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def run_jobs_command(burst: bool) -> None:
    """Run queued jobs (email, reminders) until stopped; start one or more per server."""
    from rq import SimpleWorker

    if not queue_enabled():
        raise click.ClickException("IW_REDIS_URL is not set: jobs run inline, no worker is needed")
    # SimpleWorker runs each job in this process, inside the app context the command has pushed.
    worker = SimpleWorker([job_queue()], connection=redis_connection())
    worker.work(burst=burst)
