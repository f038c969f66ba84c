"""Building the MIME message of an outbox row: subject, text and HTML in the attendee's language.

Templates: templates/emails/<template>.subject.txt, .txt and .html, rendered with
`message`, `registration`, `event`, `person`, `payload`, `links`, `inline_images`.
Attachments and inline images come from mail.hooks.parts_for(message).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from flask import current_app, render_template
from flask_babel import force_locale

from ..events.models import Event
from ..extensions import db
from . import hooks
from .models import OutboxMessage


def sender_address() -> str:
    addresses = getaddresses([current_app.config["MAIL_FROM"]])
    return addresses[0][1] if addresses else ""


def sender_domain() -> str:
    return sender_address().rpartition("@")[2] or "tsunagu.localhost"


def reply_to(language: str) -> Address | None:
    """The organiser, when replies must go somewhere other than the sender (e.g. a no-reply MAIL_FROM)."""
    from ..i18n import organizer_name

    organizer = current_app.config.get("ORGANIZER_EMAIL", "")
    if not organizer or organizer.lower() == sender_address().lower():
        return None
    return Address(display_name=organizer_name(language), addr_spec=organizer)


def new_message_id(message: OutboxMessage) -> str:
    return f"<outbox-{message.id}.{secrets.token_hex(8)}@{sender_domain()}>"


def template_context(message: OutboxMessage) -> dict:
    from ..registration.links import registration_links
    from ..registration.models import Registration

    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    event = db.session.get(Event, message.event_id) if message.event_id else (registration.event if registration else None)
    person = registration.person if registration else None
    from ..registration.services import waitlist_position

    return {
        "waitlist_position": waitlist_position,
        "message": message,
        "registration": registration,
        "event": event,
        "person": person,
        "payload": message.payload or {},
        "links": registration_links(registration) if registration else {},
    }


def render_subject(message: OutboxMessage) -> str:
    """The subject alone, as `render_parts` writes it (for listing mail not sent yet)."""
    with force_locale(message.language or "ja"):
        subject = render_template(f"emails/{message.template}.subject.txt", **template_context(message))
    return " ".join(subject.split())


def listing_subject(message: OutboxMessage) -> str:
    """The subject a sent mail went out with, else the one it would go out with now ("" if it cannot be built)."""
    if message.subject:
        return message.subject
    try:
        return render_subject(message)
    except Exception:  # noqa: BLE001 — the message's own page shows why it cannot be built
        return ""


def render_parts(message: OutboxMessage, parts: list | None = None) -> tuple[str, str, str]:
    """(subject, text, html) in the message's language."""
    context = template_context(message)
    parts = hooks.parts_for(message) if parts is None else parts
    context["inline_images"] = {p.name or p.filename: f"cid:{p.content_id.strip('<>')}" for p in parts if p.content_id}
    with force_locale(message.language or "ja"):
        subject = render_template(f"emails/{message.template}.subject.txt", **context)
        text = render_template(f"emails/{message.template}.txt", **context)
        html = render_template(f"emails/{message.template}.html", **context)
    return " ".join(subject.split()), text, html


def compose(message: OutboxMessage) -> EmailMessage:
    """The full message. Its Message-ID must already be set on the row (stable across retries)."""
    parts = hooks.parts_for(message)
    subject, text, html = render_parts(message, parts)
    mime = EmailMessage()
    mime["Subject"] = subject
    mime["From"] = current_app.config["MAIL_FROM"]
    mime["To"] = Address(addr_spec=message.to_address)
    # "+0000": UTC; formatdate()'s "-0000" means "zone unknown" (RFC 5322) and spam filters score it.
    mime["Date"] = format_datetime(datetime.now(timezone.utc))
    mime["Message-ID"] = message.message_id
    mime["Auto-Submitted"] = "auto-generated"
    organizer = reply_to(message.language or "ja")
    if organizer is not None:
        mime["Reply-To"] = organizer
    mime.set_content(text)
    mime.add_alternative(html, subtype="html")

    inline = [p for p in parts if p.content_id]
    alternatives = [p for p in parts if p.as_alternative]
    attachments = [p for p in parts if not p.content_id]
    if inline:
        html_part = mime.get_payload()[1]
        for part in inline:
            html_part.add_related(part.data, maintype=part.maintype, subtype=part.subtype,
                                  cid=f"<{part.content_id.strip('<>')}>", filename=part.filename,
                                  disposition="inline")
    for part in alternatives:
        # text/calendar as a body alternative is what makes clients show Accept / Decline.
        params = dict(part.params)
        mime.add_alternative(part.data.decode("utf-8"), subtype=part.subtype, params=params)
    if attachments:
        mime.make_mixed()
        for part in attachments:
            params = dict(part.params)
            if part.maintype == "text":
                # Bytes carry no charset of their own; without one MIME reads the part as US-ASCII.
                params.setdefault("charset", "utf-8")
            mime.add_attachment(part.data, maintype=part.maintype, subtype=part.subtype, filename=part.filename,
                                params=params)
    # After make_mixed: it moves every Content-* header into the body part it creates.
    mime["Content-Language"] = message.language or "ja"
    return mime
