"""Command-line tasks: reference data, demo data, users and the bulk generator."""

from __future__ import annotations

import click
from flask import Flask

from indirect_work.api.cli import create_api_token_command
from indirect_work.auth.models import Role
from indirect_work.auth.services import create_user
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.transactions import unit_of_work
from indirect_work.demo.bulk import generate
from indirect_work.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from indirect_work.jobs.cli import run_jobs_command
from indirect_work.ops.cli import register as register_ops_commands
from indirect_work.reminders.cli import send_reminders_command
from indirect_work.reports.report_cli import report_group
from indirect_work.taxonomy.services import load_reference_data


def register_cli(app: Flask) -> None:
    app.cli.add_command(load_reference_data_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(bulk_activities_command)
    register_ops_commands(app)
    app.cli.add_command(report_group)
    app.cli.add_command(create_api_token_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(run_jobs_command)


@click.command("load-reference-data")
def load_reference_data_command() -> None:
    """Load the MHSDS code lists, professions and the default taxonomy (safe to re-run)."""
    with unit_of_work():
        summary = load_reference_data()
    click.echo(str(summary))


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo provider, people and a year of activity (safe to re-run)."""
    with unit_of_work():
        summary = seed_demo()
    click.echo(f"Demo data: {summary.users_added} users and {summary.activities_added} activities added.")
    click.echo("Demo sign-ins (password for all: " + DEMO_PASSWORD + "):")
    for role, email in DEMO_ACCOUNTS.items():
        click.echo(f"  {role:<13} {email}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="clinician:TEAM_ID, team_lead:TEAM_ID, commissioner:ORG_ID or admin (repeatable)",
)
@click.password_option(prompt="Password (at least 10 characters)")
def create_user_command(email: str, full_name: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user with one or more roles."""
    parsed: list[tuple[Role, int | None]] = []
    for spec in roles:
        name, _, scope = spec.partition(":")
        try:
            role = Role(name)
        except ValueError:
            raise click.BadParameter(f"unknown role {name!r}", param_hint="--role") from None
        if (role is Role.ADMIN) != (not scope):
            raise click.BadParameter(
                f"{spec!r}: admin takes no scope, other roles need an id", param_hint="--role"
            )
        parsed.append((role, int(scope) if scope else None))
    try:
        with unit_of_work():
            user = create_user(email=email, full_name=full_name, password=password, roles=parsed)
    except ValidationFailed as exc:
        messages = "; ".join(m for msgs in exc.fields.values() for m in msgs)
        raise click.ClickException(messages) from None
    click.echo(f"Created user {user.id} <{user.email}>")


@click.command("bulk-activities")
@click.option("--rows", type=int, required=True, help="How many synthetic activities to add.")
@click.option("--clinicians", type=int, default=2000, show_default=True)
@click.option("--teams", type=int, default=100, show_default=True)
@click.option("--months", type=int, default=60, show_default=True, help="Spread over this many months.")
@click.option("--seed", type=int, default=1, show_default=True)
def bulk_activities_command(rows: int, clinicians: int, teams: int, months: int, seed: int) -> None:
    """Add synthetic activities in bulk (COPY on PostgreSQL) for benchmarks."""
    result = generate(rows=rows, clinicians=clinicians, teams=teams, months=months, seed=seed)
    click.echo(
        f"Inserted {result.rows} activities in {result.seconds:.1f} s "
        f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s) into organisation {result.ods_code}"
    )
