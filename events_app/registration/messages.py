"""Messages operators send to an event's registrants ("the venue moved to the 12th floor").

`check_message` validates the text and the recipients, `preview_message` counts the recipients and
renders the mail in each language, `send_message` records the message and queues one outbox mail
per recipient in one transaction, `message_history` lists what was sent with the outbox's progress.
Plain arguments, no Flask request; the pages (message_views) and the JSON API (message_api) share these.
"""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from typing import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..database import utcnow, write_transaction
from ..enums import MessageStatus, OutboxStatus
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import enqueue_rows
from ..people.models import Person
from .filters import RecipientFilter
from .lifecycle import _retrying
from .message_mail import PAYLOAD_KEY, TEMPLATE, MailPreview, preview_mail
from .models import MESSAGE_BODY_MAX, MESSAGE_SUBJECT_MAX, RegistrantMessage, Registration

AUDIT_ACTION = "registrant_message.sent"


class NoRecipients(ValidationError):
    """The filters match no one: nothing is recorded or queued."""


@dataclass(frozen=True)
class MessageDraft:
    subject: str
    body: str
    subject_en: str = ""
    body_en: str = ""

    def as_message(self, event: Event) -> RegistrantMessage:
        """An unsaved message with this text (for the preview)."""
        return RegistrantMessage(event_id=event.id, subject=self.subject, body=self.body,
                                 subject_en=self.subject_en, body_en=self.body_en)


def _one_line(text: str) -> str:
    # A subject is one header line: a newline from a crafted request must not reach the mail.
    return " ".join((text or "").split())


def _body(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()


def _check_text(draft: MessageDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (("subject", draft.subject), ("subject_en", draft.subject_en)):
        if len(value) > MESSAGE_SUBJECT_MAX:
            errors[name] = [_("At most %(max)d characters (now %(count)d).", max=MESSAGE_SUBJECT_MAX, count=len(value))]
    for name, value in (("body", draft.body), ("body_en", draft.body_en)):
        if len(value) > MESSAGE_BODY_MAX:
            errors[name] = [_("At most %(max)d characters (now %(count)d).", max=MESSAGE_BODY_MAX, count=len(value))]
    if not draft.subject:
        errors["subject"] = [_("Enter a subject.")]
    if not draft.body.strip():
        errors["body"] = [_("Enter the message.")]
    if draft.subject_en and not draft.body_en.strip():
        errors.setdefault("body_en", []).append(_("Enter the English message too, or leave the English subject empty."))
    if draft.body_en.strip() and not draft.subject_en:
        errors.setdefault("subject_en", []).append(_("Enter an English subject too, or leave the English message empty."))
    return errors


def check_message(event: Event, values: dict, *, now: datetime | None = None) -> tuple[MessageDraft, RecipientFilter]:
    """The draft and its recipients from form values; every problem at once as a ValidationError."""
    draft = MessageDraft(subject=_one_line(values.get("subject", "")), body=_body(values.get("body", "")),
                         subject_en=_one_line(values.get("subject_en", "")), body_en=_body(values.get("body_en", "")))
    errors = _check_text(draft)
    recipients, filter_errors = RecipientFilter.parse(event, values, now=now)
    errors.update(filter_errors)
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    return draft, recipients


def _recipients_query(event: Event, recipients: RecipientFilter):
    return (select(Registration.id, Registration.language, Person.email)
            .join(Person, Person.id == Registration.person_id)
            .where(*recipients.conditions(event)))


def _no_recipients() -> NoRecipients:
    return NoRecipients(_("No one matches these recipients, so nothing was sent. Choose other recipients."))


@dataclass(frozen=True)
class MessagePreview:
    draft: MessageDraft
    recipients: RecipientFilter
    count: int
    count_by_language: dict[str, int]
    mails: list[MailPreview] = field(default_factory=list)


def preview_message(event: Event, values: dict, *, now: datetime | None = None) -> MessagePreview:
    """How many people a message would reach and how it reads (Japanese; English when given or
    when English readers are among the recipients). Raises ValidationError / NoRecipients."""
    draft, recipients = check_message(event, values, now=now)
    query = _recipients_query(event, recipients).subquery()
    by_language = {language: count for language, count in db.session.execute(
        select(query.c.language, func.count()).group_by(query.c.language))}
    total = sum(by_language.values())
    if total == 0:
        raise _no_recipients()
    message = draft.as_message(event)
    languages = ["ja"] + (["en"] if draft.subject_en or by_language.get("en") else [])
    return MessagePreview(draft, recipients, total, by_language,
                          [preview_mail(event, message, language) for language in languages])


@dataclass(frozen=True)
class SendResult:
    message: RegistrantMessage
    created: bool  # False: this form had been sent already (double click, retry); nothing new was queued


def _sent_with_key(event_id: int, idempotency_key: str) -> RegistrantMessage | None:
    return db.session.scalar(select(RegistrantMessage).where(RegistrantMessage.event_id == event_id,
                                                             RegistrantMessage.idempotency_key == idempotency_key))


def send_message(event: Event, values: dict, *, actor, idempotency_key: str,
                 now: datetime | None = None) -> SendResult:
    """Record the message and queue one mail per recipient, in one transaction, with an audit entry.

    The same `idempotency_key` (the compose form's nonce) sends once: a second submit answers the
    first message. Recipients are chosen again here, so someone who cancelled since the preview
    gets nothing; `recipient_count` says how many it really went to.
    """
    draft, recipients = check_message(event, values, now=now)
    key = (idempotency_key or "")[:64] or uuid.uuid4().hex  # no key: nothing to be a replay of

    def write() -> SendResult:
        rows = db.session.execute(_recipients_query(event, recipients).order_by(Registration.id)).all()
        if not rows:
            raise _no_recipients()
        message = new_message(event, draft, recipients, actor=actor, idempotency_key=key,
                              recipient_count=len(rows), sent_at=utcnow())
        queue_mails(event.id, message.id, rows)
        record(actor, AUDIT_ACTION, "registrant_message", message.id, event_id=event.id,
               details={"recipients": len(rows), "subject": draft.subject})
        return SendResult(message, created=True)

    return once_per_key(event.id, key, write)


def queue_mails(event_id: int, message_id: int, rows) -> None:
    """One outbox mail per recipient row (registration id, language, address), in bulk; the
    dedupe key keeps a person from getting one message twice."""
    enqueue_rows(TEMPLATE, [
        {"to": email, "language": language, "registration_id": registration_id, "event_id": event_id,
         "dedupe_key": f"registrant-message:{message_id}:{registration_id}"}
        for registration_id, language, email in rows], payload={PAYLOAD_KEY: message_id})


def new_message(event: Event, draft, recipients: RecipientFilter, *, actor, idempotency_key: str,
                **state) -> RegistrantMessage:
    """The message's row from a checked draft (added and flushed: its id is known); `state` says
    how it stands (sent now with its count, or scheduled). A concurrent twin trips the unique key
    on the flush."""
    message = RegistrantMessage(
        event_id=event.id, sent_by_id=getattr(actor, "id", None),
        sent_by_label=getattr(actor, "email", None) or str(actor or ""),
        subject=draft.subject, body=draft.body, subject_en=draft.subject_en, body_en=draft.body_en,
        filters=recipients.as_dict(), idempotency_key=idempotency_key, **state)
    db.session.add(message)
    db.session.flush()
    return message


def once_per_key(event_id: int, idempotency_key: str, write: Callable[[], SendResult]) -> SendResult:
    """Run `write` in one transaction, once per idempotency key: a replay (double click, retry,
    Back) or a concurrent twin answers the first message instead."""
    def attempt() -> SendResult:
        with write_transaction():
            existing = _sent_with_key(event_id, idempotency_key)
            if existing is not None:
                return SendResult(existing, created=False)
            return write()

    try:
        return _retrying(attempt)
    except IntegrityError:
        # The same form submitted twice at once: the other request's message won the unique key.
        existing = _sent_with_key(event_id, idempotency_key)
        if existing is None:
            raise
        return SendResult(existing, created=False)


class Delivery(enum.StrEnum):
    """Where a message's mails are, taken together."""

    WAITING = "waiting"              # some are still in the outbox (queued, or being sent)
    DELIVERED = "delivered"          # every one was handed to the mail server
    NOT_DELIVERED = "not_delivered"  # done, but at least one failed after its retries


@dataclass(frozen=True)
class MessageHistoryRow:
    message: RegistrantMessage
    delivered: int
    waiting: int
    failed: int

    @property
    def delivery(self) -> Delivery:
        if self.waiting:
            return Delivery.WAITING
        return Delivery.NOT_DELIVERED if self.failed else Delivery.DELIVERED


def _mail_counts(event_id: int, message_id: int | None = None) -> dict[int, dict[str, int]]:
    """Outbox mails per message and status: {message id: {status: count}}."""
    # Grouped in an outer query: PostgreSQL would not match `payload ->> $1` in SELECT with `->> $2` in GROUP BY.
    mails = (select(OutboxMessage.payload[PAYLOAD_KEY].as_integer().label("message_id"),
                    OutboxMessage.status.label("status"))
             .where(OutboxMessage.event_id == event_id, OutboxMessage.template == TEMPLATE).subquery())
    stmt = select(mails.c.message_id, mails.c.status, func.count()).group_by(mails.c.message_id, mails.c.status)
    if message_id is not None:
        stmt = stmt.where(mails.c.message_id == message_id)
    counts: dict[int, dict[str, int]] = {}
    for found_id, status, count in db.session.execute(stmt):
        counts.setdefault(found_id, {})[OutboxStatus(status).value] = count
    return counts


def _history_row(message: RegistrantMessage, by_status: dict[str, int]) -> MessageHistoryRow:
    return MessageHistoryRow(
        message, delivered=by_status.get(OutboxStatus.SENT.value, 0),
        waiting=by_status.get(OutboxStatus.QUEUED.value, 0) + by_status.get(OutboxStatus.SENDING.value, 0),
        failed=by_status.get(OutboxStatus.FAILED.value, 0))


def _history_order(message: RegistrantMessage) -> tuple:
    if message.status == MessageStatus.SCHEDULED:
        return (0, message.send_at.timestamp())
    # Sent ones by when they went out; a cancelled one where it would have gone (or when it was cancelled).
    when = message.sent_at or message.send_at or message.cancelled_at
    return (1, -when.timestamp() if when else 0.0)


def message_history(event: Event) -> list[MessageHistoryRow]:
    """The event's messages: the scheduled ones first (soonest first), then the rest newest first,
    each with its mails delivered, waiting and failed."""
    messages = list(db.session.scalars(select(RegistrantMessage).where(RegistrantMessage.event_id == event.id)
                                       .order_by(RegistrantMessage.id.desc())))
    messages.sort(key=_history_order)
    if not messages:
        return []
    counts = _mail_counts(event.id)
    return [_history_row(message, counts.get(message.id, {})) for message in messages]


def message_progress(message: RegistrantMessage) -> MessageHistoryRow:
    """One message's line of the history (the API answers a send with it)."""
    return _history_row(message, _mail_counts(message.event_id, message.id).get(message.id, {}))
