"""Command-line commands of the calendar capability: write the .ics the app serves, for support."""
from __future__ import annotations

import click
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..enums import EventKind
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from . import presentation, public, services


def _write(data: bytes, output) -> None:
    output.write(data)
    output.flush()


@click.command("calendar-invite")
@click.argument("registration_id", type=int)
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def calendar_invite(registration_id: int, output) -> None:
    """Write a registration's current invite (REQUEST, or CANCEL once withdrawn) as .ics."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise click.ClickException(f"No registration with id {registration_id}.")
    method = services.current_method(registration)
    if method is None:
        raise click.ClickException(
            f"Registration {registration_id} is {registration.status.value}: it has no calendar invite yet.")
    _write(services.invite_document(registration, method=method), output)


@click.command("calendar-event")
@click.argument("slug")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def calendar_event(slug: str, lang: str, output) -> None:
    """Write an event's public .ics (the one at /events/<slug>.ics)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not public.is_public(event):
        raise click.ClickException(f"No published event with the slug {slug!r}.")
    _write(public.public_event_document(event, lang), output)


@click.command("calendar-feed")
@click.option("--kind", type=click.Choice([k.value for k in EventKind]), default=None, help="Only this kind of event.")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("-o", "--output", type=click.File("wb"), default="-", help="File to write (default: standard output).")
def calendar_feed(kind: str | None, lang: str, output) -> None:
    """Write the events feed (the one at /calendar.ics), e.g. to publish it as a static file."""
    with force_locale(lang):
        name, description = presentation.feed_title(kind)
    events = public.feed_events(kind)
    _write(public.feed_document(events, language=lang, name=name, description=description), output)
    current_app.logger.info("calendar feed written with %d events", len(events))


commands = [calendar_invite, calendar_event, calendar_feed]
