"""Command-line commands of the tickets capability: look up, re-issue and check tickets from a shell."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..enums import CheckInSource
from ..errors import DomainError
from ..registration.lifecycle import status_label
from ..registration.models import Registration
from . import codes, documents, services


def _registration(registration_id: int) -> Registration:
    # Messages in CLI_LANGUAGE (outside a request Flask-Babel picks it), like checkin-status.
    from ..registration.services import registration_by_id

    try:
        return registration_by_id(registration_id)
    except DomainError as err:
        raise click.ClickException(err.message)


@click.command("ticket-show")
@click.argument("registration_id", type=int)
@click.option("--png", type=click.File("wb"), default=None, help="Also write the QR code as PNG to this file.")
def ticket_show(registration_id: int, png) -> None:
    """Print a registration's ticket URL (issuing the ticket if it is confirmed and has none)."""
    registration = _registration(registration_id)
    code = services.ticket_code(registration)
    if code is None:
        raise click.ClickException(_("This registration is %(status)s; that action is not possible.",
                                     status=status_label(registration.status)))
    click.echo(codes.ticket_url(code))
    if png is not None:
        png.write(documents.qr_png(codes.ticket_url(code)))


@click.command("ticket-reissue")
@click.argument("registration_id", type=int)
@click.option("--reason", default="", help="Why (kept in the audit log), e.g. 'lost phone'.")
def ticket_reissue(registration_id: int, reason: str) -> None:
    """Revoke a registration's ticket and issue a new one; prints the new ticket URL."""
    _registration(registration_id)
    try:
        services.reissue_ticket(registration_id, actor="cli", reason=reason)
    except DomainError as err:
        raise click.ClickException(err.message)
    click.echo(codes.ticket_url(services.ticket_code(_registration(registration_id))))


SCAN_NOT_ADMITTED = 3  # apart from 1 (an error such as no such event) and 2 (a usage error)


@click.command("checkin-scan")
@click.argument("slug")
@click.argument("code")
def checkin_scan(slug: str, code: str) -> None:
    """Check in a ticket code (or ticket URL) at an event, as the door would; prints the JSON answer.
    Exits 0 only when the result is ok, 3 for any other result, 1 when the event does not exist."""
    from .api import outcome_json

    try:
        event = services.event_by_slug(slug)
        with force_locale(current_app.config.get("CLI_LANGUAGE", "en")):
            outcome = services.check_in_code(event, code, staff=None, source=CheckInSource.API, device="cli")
            answer = outcome_json(outcome)
            click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    except DomainError as err:
        raise click.ClickException(err.message)
    # Scripts branch on the exit code: nobody was admitted unless the result is ok.
    if answer.get("result") != "ok":
        raise click.exceptions.Exit(SCAN_NOT_ADMITTED)


@click.command("checkin-status")
@click.argument("slug")
def checkin_status(slug: str) -> None:
    """Print live counts of an event's door (checked in / expected, online, conflicts) as JSON."""
    try:
        event = services.event_by_slug(slug)
    except DomainError as err:
        raise click.ClickException(err.message)
    click.echo(json.dumps(services.counts(event), indent=2))


commands: list = [ticket_show, ticket_reissue, checkin_scan, checkin_status]
