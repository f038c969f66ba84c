"""Command-line commands of the registration capability."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select


def _event(slug: str):
    """The event at this address; a missing one stops the command with the message in CLI_LANGUAGE."""
    from ..errors import DomainError
    from ..events.queries import event_by_slug

    try:
        return event_by_slug(slug)
    except DomainError as err:
        raise click.ClickException(err.message)


@click.command("promote-waitlist")
@click.argument("slug")
@with_appcontext
def promote_waitlist_command(slug: str) -> None:
    """Fill an event's free seats from its waitlist (normally automatic; for repairs)."""
    from .services import promote_waitlist

    event = _event(slug)
    promoted = promote_waitlist(event.id)
    click.echo(f"promoted {len(promoted)} registration(s) of {slug}")


@click.command("registration-counts")
@click.argument("slug")
@with_appcontext
def registration_counts(slug: str) -> None:
    """Print an event's registrations by status and its seat counters."""
    from ..extensions import db
    from .models import Registration

    event = _event(slug)
    rows = db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event.id)
                              .group_by(Registration.status)).all()
    for status, count in sorted(rows, key=lambda r: str(r[0])):
        click.echo(f"{getattr(status, 'value', status):<11} {count}")
    click.echo(f"seats       {event.seats_taken}/{event.capacity if event.capacity is not None else '∞'} in person, "
               f"{event.online_seats_taken}/{event.online_capacity if event.online_capacity is not None else '∞'} online")


commands = [promote_waitlist_command, registration_counts]
