"""Helpers for the tests of messages to registrants: the compose form's values and what got queued."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.models import RegistrantMessage


def form_key(client, slug: str) -> str:
    """The idempotency key of a freshly opened compose page."""
    page = client.get(f"/admin/events/{slug}/messages").get_data(as_text=True)
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)


def message_form(key: str, **fields) -> dict:
    """Compose form values: a Japanese subject and body to the confirmed registrations by default."""
    data = {"subject": "会場変更のお知らせ", "body": "会場が12階に変わりました。", "statuses": ["confirmed"],
            "idempotency_key": key}
    data.update(fields)
    return data


def send(client, event, key: str | None = None, **fields):
    return client.post(f"/admin/events/{event.slug}/messages/send",
                       data=message_form(key or form_key(client, event.slug), **fields))


def queued_registration_ids() -> set[int]:
    return set(db.session.scalars(select(OutboxMessage.registration_id)
                                  .where(OutboxMessage.template == "registrant_message")))


def queued_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "registrant_message"))


def sent_messages() -> list[RegistrantMessage]:
    return list(db.session.scalars(select(RegistrantMessage).order_by(RegistrantMessage.id)))
