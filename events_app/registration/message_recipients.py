"""Who one message to registrants went to, and where each person's mail is (the operators'
recipient list and its CSV).

A message's recipients are its outbox rows (template `registrant_message`, the message's id in
the payload), not today's filter results: someone who registered after the message never got it.
Each row keeps the address it was sent to, so a person whose registration was deleted since
still appears, by that address.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record
from ..database import write_transaction
from ..enums import Affiliation, OutboxStatus, RegistrationStatus
from ..errors import NotFound
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..people.models import Person
from .labels import affiliation_label
from .lifecycle import status_label
from .message_mail import PAYLOAD_KEY, TEMPLATE
from .messages import Delivery, MessageHistoryRow
from .models import RegistrantMessage, Registration

EXPORT_ACTION = "export.message_recipients_csv"
ERROR_SHORT = 120  # characters of the last error on the page; the CSV keeps it whole


@dataclass(frozen=True)
class RecipientLine:
    """One recipient of a message and the state of the mail sent to them."""

    outbox_id: int
    email: str  # the address the mail went to
    name: str
    name_kana: str
    affiliation: Affiliation | None
    company: str
    status: RegistrationStatus | None  # the registration now; None once it was deleted
    outbox_status: OutboxStatus
    sent_at: datetime | None
    next_attempt_at: datetime | None
    attempts: int
    last_error: str

    @property
    def delivery(self) -> Delivery:
        if self.outbox_status == OutboxStatus.SENT:
            return Delivery.DELIVERED
        if self.outbox_status == OutboxStatus.FAILED:
            return Delivery.NOT_DELIVERED
        return Delivery.WAITING

    @property
    def short_error(self) -> str:
        """The last error's first line, cut to fit a table cell."""
        line = (self.last_error or "").strip().splitlines()[0] if (self.last_error or "").strip() else ""
        return line if len(line) <= ERROR_SHORT else line[:ERROR_SHORT - 1] + "…"


@dataclass(frozen=True)
class MessageRecipients:
    progress: MessageHistoryRow  # the message with its delivered / waiting / failed counts
    lines: list[RecipientLine]


def message_of_event(event: Event, message_id: int) -> RegistrantMessage:
    """The event's message with this id; NotFound for an unknown id or another event's message."""
    message = db.session.scalar(select(RegistrantMessage).where(RegistrantMessage.id == message_id,
                                                                RegistrantMessage.event_id == event.id))
    if message is None:
        raise NotFound(_("This event has no message with that number. It may belong to another event."))
    return message


def _recipient_rows(message: RegistrantMessage):
    return db.session.execute(
        select(OutboxMessage.id, OutboxMessage.to_address, Person.name, Person.name_kana, Person.affiliation,
               Person.company, Registration.status, OutboxMessage.status, OutboxMessage.sent_at,
               OutboxMessage.next_attempt_at, OutboxMessage.attempts, OutboxMessage.last_error)
        .outerjoin(Registration, Registration.id == OutboxMessage.registration_id)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(OutboxMessage.event_id == message.event_id, OutboxMessage.template == TEMPLATE,
               OutboxMessage.payload[PAYLOAD_KEY].as_integer() == message.id)
        # Kana order as the registrations list; rows without a person last, by address.
        .order_by(Person.name_kana.is_(None), Person.name_kana, OutboxMessage.to_address, OutboxMessage.id))


def message_recipients(event: Event, message_id: int) -> MessageRecipients:
    """The message, its counts, and one line per recipient. Raises NotFound (see message_of_event)."""
    message = message_of_event(event, message_id)
    lines = [RecipientLine(outbox_id=row[0], email=row[1], name=row[2] or "", name_kana=row[3] or "",
                           affiliation=row[4], company=row[5] or "", status=row[6],
                           outbox_status=OutboxStatus(row[7]), sent_at=row[8], next_attempt_at=row[9],
                           attempts=row[10] or 0, last_error=row[11] or "")
             for row in _recipient_rows(message)]
    counts = {state: sum(1 for line in lines if line.delivery == state) for state in Delivery}
    progress = MessageHistoryRow(message, delivered=counts[Delivery.DELIVERED], waiting=counts[Delivery.WAITING],
                                 failed=counts[Delivery.NOT_DELIVERED])
    return MessageRecipients(progress, lines)


# --- the CSV --------------------------------------------------------------------------------

def delivery_label(delivery: Delivery) -> str:
    return {
        Delivery.DELIVERED: _("Delivered"),
        Delivery.WAITING: _("Waiting"),
        Delivery.NOT_DELIVERED: _("Not delivered"),
    }[delivery]


def csv_header(event: Event) -> list[str]:
    return [_("Name"), _("Kana"), _("Email"), _("Affiliation"), _("Company"), _("Registration status"),
            _("Delivery"), _("Delivered at (%(tz)s)", tz=event.timezone),
            _("Next attempt (%(tz)s)", tz=event.timezone), _("Attempts"), _("Last error")]


def csv_rows(event: Event, lines: list[RecipientLine]) -> Iterator[list]:
    """The recipient lines as CSV cells in the current locale, times in the event's zone."""
    tz = ZoneInfo(event.timezone)

    def when(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    for line in lines:
        waiting = line.delivery == Delivery.WAITING
        yield [line.name, line.name_kana, line.email,
               affiliation_label(line.affiliation) if line.affiliation else "", line.company,
               status_label(line.status) if line.status else _("registration deleted"),
               delivery_label(line.delivery), when(line.sent_at), when(line.next_attempt_at) if waiting else "",
               line.attempts, line.last_error if line.delivery != Delivery.DELIVERED else ""]


def record_recipients_export(event: Event, message: RegistrantMessage, *, rows: int, actor,
                             ip: str | None = None) -> None:
    """Record the download of a recipient list (names and addresses) in the audit trail."""
    with write_transaction():
        record(actor, EXPORT_ACTION, "registrant_message", message.id, event_id=event.id,
               details={"rows": rows, "ip": ip})
