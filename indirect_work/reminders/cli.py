"""``flask send-reminders``: send what is due (or one kind now), or print who would get what."""

from __future__ import annotations

import click

from indirect_work.core.db import utcnow
from indirect_work.mail import mail_enabled
from indirect_work.reminders.models import KINDS
from indirect_work.reminders.services import due_kinds, send_reminders


@click.command("send-reminders")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="Send this kind now; without it, every kind whose weekday and hour have come.",
)
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
def send_reminders_command(kind: str | None, dry_run: bool) -> None:
    """Email the reminders that are due; never twice to one person for the same kind and period."""
    now = utcnow()
    kinds = [kind] if kind else due_kinds(now)
    if not mail_enabled() and not dry_run:
        click.echo("Email is off (IW_SMTP_HOST is not set): reminders are recorded but not sent.")
    outcomes = send_reminders(kinds, now.date(), dry_run=dry_run)
    for outcome in outcomes:
        p = outcome.planned
        click.echo(f"{outcome.result:<9} {p.kind:<11} {p.period:<16} {p.email}: {p.summary}")
    click.echo(
        f"{len(outcomes)} reminder(s) for {', '.join(kinds) or 'no kind'}" + (" (dry run)" if dry_run else "")
    )
