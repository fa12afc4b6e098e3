"""``flask create-api-token``: a personal API token from the command line (for scripts and the README)."""

from __future__ import annotations

import click
from sqlalchemy import select

from indirect_work.api.tokens import DEFAULT_LIFETIME, LIFETIMES, create_token
from indirect_work.auth.models import User
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.transactions import unit_of_work
from indirect_work.extensions import db


@click.command("create-api-token")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="What will use the token.")
@click.option(
    "--days",
    type=click.Choice([str(d) for d in LIFETIMES]),
    default=str(DEFAULT_LIFETIME),
    show_default=True,
    help="Days until it expires.",
)
def create_api_token_command(email: str, name: str, days: str) -> None:
    """Create an API token for the user EMAIL and print it (shown once; audited like the account page)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        raise click.ClickException(f"No active user {email}")
    try:
        with unit_of_work():
            new = create_token(user=user, name=name, lifetime_days=int(days))
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(m for ms in exc.fields.values() for m in ms)) from None
    click.echo(new.secret)
