"""`flask --app wsgi users ...`: create officials and issue API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.accounts import api_tokens, officials
from app.shared.errors import ServiceError

users_group = AppGroup("users", help="Manage officials' accounts.")


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The official's full name.")
@click.option("--role", required=True, type=click.Choice(["clerk", "drafter", "reviewer"]))
def create_user(email: str, name: str, role: str) -> None:
    """Create an official and print a one-time sign-in link."""
    try:
        official, link = officials.create_official_from_cli(email, name, role)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created {official.role} {official.name} <{official.email}>.")
    click.echo("One-time sign-in link (choose a password there):")
    click.echo(link)


@users_group.command("token")
@click.argument("email")
@click.option("--label", default="Command-line token", show_default=True)
def issue_token(email: str, label: str) -> None:
    """Issue a new API token for an official; the token is the last line printed."""
    official = officials.find_by_email(email)
    if official is None or not official.active:
        raise click.ClickException(f"No active official with email {email}.")
    token = api_tokens.issue_token(official, label)
    click.echo(f"API token for {official.name} ({official.role}). It is shown only once:")
    click.echo(token)
