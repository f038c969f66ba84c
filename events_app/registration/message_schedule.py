"""Messages to registrants scheduled for later: validate the send time, store, cancel, send when due.

A scheduled message stores its text and its recipient filters only; the recipients are chosen when
it is sent, so someone who registers meanwhile receives it and someone who cancels does not.
`send_due_messages` runs from `flask send-reminders` (cron) and from the mail worker's loop; each
message is claimed by a conditional UPDATE in the transaction that queues its mails, so two
runs at once send it once. Cancelling the event cancels its scheduled messages at once
(`cancel_event_messages`); the send-time check stays for a message claimed meanwhile.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..audit.services import record
from ..database import utcnow, write_transaction
from ..enums import EventStatus, MessageCancelReason, MessageStatus
from ..errors import Conflict, ValidationError
from ..events.models import Event
from ..extensions import db
from .filters import RecipientFilter
from .lifecycle import _retrying
from .messages import (AUDIT_ACTION, MessagePreview, SendResult, _recipients_query, check_message, new_message,
                       once_per_key, preview_message, queue_mails, send_message)
from .models import RegistrantMessage, Registration

SCHEDULED_ACTION = "registrant_message.scheduled"
CANCELLED_ACTION = "registrant_message.cancelled"


def parse_send_at(event: Event, raw: str, *, now: datetime) -> tuple[datetime | None, dict[str, list[str]]]:
    """The send time (aware UTC) from ISO 8601 text with a zone; None for "now"; field errors."""
    text = (raw or "").strip()
    if not text:
        return None, {}
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, {"send_at": [_("Enter a date and time, for example 2026-12-01 18:00.")]}
    if when.tzinfo is None:
        return None, {"send_at": [_("Give the time with its zone, for example 2026-12-01T18:00:00+09:00.")]}
    when = when.astimezone(now.tzinfo)
    if when <= now:
        return None, {"send_at": [_("Choose a time in the future, or leave it empty to send now.")]}
    if when >= event.ends_at:
        return None, {"send_at": [_("Choose a time before the event ends.")]}
    return when, {}


def check_submission(event: Event, values: dict, *, now: datetime):
    """(draft, recipients, send_at) with every problem at once, the send time's included."""
    send_at, errors = parse_send_at(event, values.get("send_at", ""), now=now)
    try:
        # "Came or not" may be chosen if the event will have started by the send time.
        draft, recipients = check_message(event, values, now=send_at or now)
    except ValidationError as err:
        raise ValidationError(err.message, fields={**err.fields, **errors}) from None
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    return draft, recipients, send_at


def preview_submission(event: Event, values: dict, *, now: datetime | None = None
                       ) -> tuple[MessagePreview, datetime | None]:
    """The preview (today's count) and the send time; ValidationError before counting anyone."""
    now = now or utcnow()
    _draft, _recipients, send_at = check_submission(event, values, now=now)
    return preview_message(event, values, now=send_at or now), send_at


def submit_message(event: Event, values: dict, *, actor, idempotency_key: str,
                   now: datetime | None = None) -> SendResult:
    """Send now (no send_at), or store the message as scheduled; once per idempotency key."""
    now = now or utcnow()
    draft, recipients, send_at = check_submission(event, values, now=now)
    if send_at is None:
        return send_message(event, values, actor=actor, idempotency_key=idempotency_key, now=now)
    key = (idempotency_key or "")[:64] or uuid.uuid4().hex

    def write() -> SendResult:
        message = new_message(event, draft, recipients, actor=actor, idempotency_key=key, recipient_count=0,
                              status=MessageStatus.SCHEDULED, send_at=send_at, sent_at=None)
        record(actor, SCHEDULED_ACTION, "registrant_message", message.id, event_id=event.id,
               details={"send_at": send_at.isoformat(), "subject": draft.subject})
        return SendResult(message, created=True)

    return once_per_key(event.id, key, write)


def _cancel(reason: MessageCancelReason, now: datetime, *which) -> list[int]:
    """Conditional UPDATE: of the messages `which` selects, only those still scheduled are
    cancelled (a sender that claimed one first keeps it); returns their ids."""
    return list(db.session.scalars(
        update(RegistrantMessage)
        .where(*which, RegistrantMessage.status == MessageStatus.SCHEDULED)
        .values(status=MessageStatus.CANCELLED, cancel_reason=reason, cancelled_at=now)
        .returning(RegistrantMessage.id)
        .execution_options(synchronize_session=False)))


def _record_reason(actor, message_id: int, event_id: int, reason: MessageCancelReason) -> None:
    record(actor, CANCELLED_ACTION, "registrant_message", message_id, event_id=event_id,
           details={"reason": reason.value})


def cancel_event_messages(event_id: int, *, actor, now: datetime) -> list[int]:
    """Cancel the event's still-scheduled messages in the caller's transaction (the event's cancel)."""
    cancelled = sorted(_cancel(MessageCancelReason.EVENT_CANCELLED, now, RegistrantMessage.event_id == event_id))
    for message_id in cancelled:
        _record_reason(actor, message_id, event_id, MessageCancelReason.EVENT_CANCELLED)
    return cancelled


def cancel_scheduled_message(message: RegistrantMessage, *, actor, now: datetime | None = None) -> RegistrantMessage:
    """Cancel a scheduled message before it goes out; Conflict if it was sent or cancelled already."""
    now = now or utcnow()
    with write_transaction():
        if not _cancel(MessageCancelReason.OPERATOR, now, RegistrantMessage.id == message.id):
            raise Conflict(_("This message is no longer scheduled (it was sent or cancelled already), "
                             "so it cannot be cancelled."))
        record(actor, CANCELLED_ACTION, "registrant_message", message.id, event_id=message.event_id,
               details={"subject": message.subject})
    db.session.refresh(message)
    return message


def current_recipient_count(event: Event, message: RegistrantMessage) -> int:
    """How many people a scheduled message would reach if it went out now."""
    query = _recipients_query(event, _stored_filter(message)).subquery()
    return db.session.scalar(select(func.count()).select_from(query)) or 0


def _stored_filter(message: RegistrantMessage) -> RecipientFilter:
    stored = dict(message.filters or {})
    stored["session"] = stored.pop("session_id", None)
    # The stored filter was valid at scheduling time; `now=send_at` keeps "came or not" allowed.
    recipients, _errors = RecipientFilter.parse(message.event, stored, now=message.send_at or utcnow())
    return recipients


def _send_one(message_id: int, now: datetime) -> MessageStatus | None:
    """Claim one due message and queue its mails, in one transaction; None if another run had it."""
    with write_transaction():
        claimed = db.session.execute(
            update(RegistrantMessage)
            .where(RegistrantMessage.id == message_id, RegistrantMessage.status == MessageStatus.SCHEDULED,
                   RegistrantMessage.send_at <= now)
            .values(status=MessageStatus.SENDING)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            return None
        message = db.session.scalars(select(RegistrantMessage).where(RegistrantMessage.id == message_id)
                                     .execution_options(populate_existing=True)).one()
        event = message.event
        rows = []
        if event.status == EventStatus.CANCELLED:
            reason = MessageCancelReason.EVENT_CANCELLED
        else:
            rows = db.session.execute(_recipients_query(event, _stored_filter(message))
                                      .order_by(Registration.id)).all()
            reason = None if rows else MessageCancelReason.NO_RECIPIENTS
        if reason is not None:
            message.status = MessageStatus.CANCELLED
            message.cancel_reason, message.cancelled_at = reason, now
            _record_reason(None, message.id, event.id, reason)
            return MessageStatus.CANCELLED
        message.status, message.sent_at, message.recipient_count = MessageStatus.SENT, now, len(rows)
        queue_mails(event.id, message.id, rows)
        record(None, AUDIT_ACTION, "registrant_message", message.id, event_id=event.id,
               details={"recipients": len(rows), "subject": message.subject, "scheduled": True})
        return MessageStatus.SENT


def send_due_messages(now: datetime | None = None) -> dict[str, int]:
    """Send every scheduled message whose time has come; counts of sent and cancelled."""
    now = now or utcnow()
    due = list(db.session.scalars(select(RegistrantMessage.id).where(
        RegistrantMessage.status == MessageStatus.SCHEDULED, RegistrantMessage.send_at <= now)
        .order_by(RegistrantMessage.send_at, RegistrantMessage.id)))
    counts = {"sent": 0, "cancelled": 0}
    for message_id in due:
        outcome = _retrying(lambda message_id=message_id: _send_one(message_id, now))
        if outcome == MessageStatus.SENT:
            counts["sent"] += 1
        elif outcome == MessageStatus.CANCELLED:
            counts["cancelled"] += 1
    return counts


def run_due_messages(*, drain: bool = False) -> int:
    """The mail worker's task (mail.hooks): due scheduled messages go out without cron too."""
    counts = send_due_messages()
    return counts["sent"] + counts["cancelled"]
