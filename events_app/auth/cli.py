"""Staff accounts from the command line."""
from __future__ import annotations

import click

from ..enums import Role
from ..errors import DomainError
from . import services


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", default=None, help="At least 8 characters; generated and printed when omitted.")
@click.option("--name", default="", help="Display name.")
def create_user_command(email: str, role: str, password: str | None, name: str) -> None:
    """Create a staff user."""
    try:
        user, pw = services.create_user(email, role, password=password, name=name)
    except DomainError as err:
        raise click.ClickException(err.message)
    click.echo(f"Created {user.role.value} {user.email}")
    if password is None:
        click.echo(f"Password: {pw}")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def create_token_command(email: str, name: str) -> None:
    """Issue a personal API token; it is printed once, on the last line."""
    try:
        token = services.create_token(email, name=name)
    except DomainError as err:
        raise click.ClickException(err.message)
    click.echo(token)


commands = [create_user_command, create_token_command]
