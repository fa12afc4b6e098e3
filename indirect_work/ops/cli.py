"""Command-line operations: ``check-deploy``, ``backup``, ``restore-check`` and ``purge-expired``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indirect_work.core.transactions import unit_of_work
from indirect_work.ops.backup import backup, restore_drill
from indirect_work.ops.deploy import deploy_problems
from indirect_work.ops.retention import purge_expired


def register(app: Flask) -> None:
    for command in (check_deploy_command, backup_command, restore_check_command, purge_expired_command):
        app.cli.add_command(command)


@click.command("check-deploy")
@with_appcontext
def check_deploy_command() -> None:
    """Fail (exit 1) on any setting or state that is unsafe for production."""
    problems = deploy_problems(current_app)
    for problem in problems:
        click.echo(f"FAIL: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("OK: the production settings and database pass every deployment check.")


@click.command("backup")
@with_appcontext
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive).",
)
def backup_command(output: Path) -> None:
    """Back up the database while the service keeps running."""
    backup(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    click.echo(f"Backup written to {output} ({output.stat().st_size:,} bytes).")


@click.command("restore-check")
@with_appcontext
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_check_command(backup_file: Path) -> None:
    """Restore drill for a SQLite backup: compare each table's row count and checksum with the live one."""
    restored, problems = restore_drill(current_app.config["SQLALCHEMY_DATABASE_URI"], backup_file)
    for problem in problems:
        click.echo(f"DIFFERS: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    total = sum(fp.rows for fp in restored.values())
    click.echo(f"OK: {len(restored)} tables, {total:,} rows, every checksum matches.")


@click.command("purge-expired")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
def purge_expired_command(dry_run: bool) -> None:
    """Remove records older than the retention period (IW_RETENTION_MONTHS); the run is audited."""
    with unit_of_work():
        summary = purge_expired(dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(
        f"{verb} {summary.activities:,} activities dated before {summary.cutoff.isoformat()}, "
        f"{summary.idempotency_records:,} old idempotency records and "
        f"{summary.auth_failures:,} expired sign-in failures."
    )
