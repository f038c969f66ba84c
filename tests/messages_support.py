"""Helpers for the tests of messages to registrants: the compose form's values, what got queued, and
a message to a crowd (for the recipient list's tabs and pages)."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, insert, select, update

from events_app.database import write_transaction
from events_app.enums import Affiliation, OutboxStatus, RegistrationStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.people.models import Person
from events_app.registration.models import Registration, RegistrantMessage


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


CROWD = 230
FAILED = {i for i in range(CROWD) if i % 10 == 3}            # 23 mails not delivered
WAITING = {i for i in range(220, CROWD)} - FAILED              # 9 still in the outbox
DELIVERED = set(range(CROWD)) - FAILED - WAITING               # 198


def send_to_crowd(client, event, *, sent_at: datetime) -> RegistrantMessage:
    """Send (as the client's signed-in operator) a message to CROWD confirmed registrants of `event`,
    written in bulk (kana "メイボ 000" … "メイボ 229", crowdNNN@example.jp); then mark the mails of
    FAILED not delivered and of DELIVERED delivered at `sent_at`, leaving WAITING in the outbox."""
    with write_transaction():
        db.session.execute(insert(Person), [
            dict(email=f"crowd{i:03d}@example.jp", name=f"名簿 {i:03d}", name_kana=f"メイボ {i:03d}",
                 affiliation=Affiliation.ALUMNI) for i in range(CROWD)])
        people = dict(db.session.execute(select(Person.email, Person.id).where(Person.email.like("crowd%"))).all())
        db.session.execute(insert(Registration), [
            dict(event_id=event.id, person_id=people[f"crowd{i:03d}@example.jp"], status=RegistrationStatus.CONFIRMED,
                 manage_nonce=f"nonce-{event.id}-{i}", manage_token_hash=f"hash-{event.id}-{i}",
                 calendar_uid=f"crowd-{event.id}-{i}@tsunagu") for i in range(CROWD)])
    assert send(client, event).status_code == 302
    message = sent_messages()[-1]
    with write_transaction():
        for numbers, status in ((FAILED, OutboxStatus.FAILED), (DELIVERED, OutboxStatus.SENT)):
            db.session.execute(update(OutboxMessage).where(OutboxMessage.to_address.in_(
                [f"crowd{i:03d}@example.jp" for i in numbers])).values(
                    status=status, sent_at=sent_at if status == OutboxStatus.SENT else None))
    return message
