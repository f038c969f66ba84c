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
from ..pagination import Page
from ..people.models import Person
from .labels import affiliation_label
from .lifecycle import status_label
from .message_mail import PAYLOAD_KEY, TEMPLATE
from .messages import Delivery, MessageHistoryRow, message_progress
from .models import RegistrantMessage, Registration

EXPORT_ACTION = "export.message_recipients_csv"
ERROR_SHORT = 120  # characters of the last error on the page; the CSV keeps it whole
PAGE_SIZE = 100  # recipients per page; the CSV is never paged

# The outbox states behind each delivery state (as the history counts them).
OUTBOX_STATES = {
    Delivery.DELIVERED: (OutboxStatus.SENT,),
    Delivery.WAITING: (OutboxStatus.QUEUED, OutboxStatus.SENDING),
    Delivery.NOT_DELIVERED: (OutboxStatus.FAILED,),
}


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
    delivery: Delivery | None    # the state the lines are in; None for every recipient
    page: Page
    lines: list[RecipientLine]   # this page's lines only

    def count(self, delivery: Delivery | None = None) -> int:
        """Recipients in a delivery state (None: all of them)."""
        return _count(self.progress, delivery)


def _count(row: MessageHistoryRow, delivery: Delivery | None) -> int:
    return {None: row.delivered + row.waiting + row.failed, Delivery.DELIVERED: row.delivered,
            Delivery.WAITING: row.waiting, Delivery.NOT_DELIVERED: row.failed}[delivery]


def message_of_event(event: Event, message_id: int) -> RegistrantMessage:
    """The event's message with this id; NotFound for an unknown id or another event's message."""
    message = db.session.scalar(select(RegistrantMessage).where(RegistrantMessage.id == message_id,
                                                                RegistrantMessage.event_id == event.id))
    if message is None:
        raise NotFound(_("This event has no message with that number. It may belong to another event."))
    return message


def _recipient_rows(message: RegistrantMessage, delivery: Delivery | None):
    stmt = (
        select(OutboxMessage.id, OutboxMessage.to_address, Person.name, Person.name_kana, Person.affiliation,
               Person.company, Registration.status, OutboxMessage.status, OutboxMessage.sent_at,
               OutboxMessage.next_attempt_at, OutboxMessage.attempts, OutboxMessage.last_error)
        .outerjoin(Registration, Registration.id == OutboxMessage.registration_id)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(OutboxMessage.event_id == message.event_id, OutboxMessage.template == TEMPLATE,
               OutboxMessage.payload[PAYLOAD_KEY].as_integer() == message.id)
        # Kana order as the registrations list; rows without a person last, by address. The id
        # last makes the order total, so LIMIT/OFFSET pages neither repeat nor skip a row.
        .order_by(Person.name_kana.is_(None), Person.name_kana, OutboxMessage.to_address, OutboxMessage.id))
    if delivery is not None:
        stmt = stmt.where(OutboxMessage.status.in_(OUTBOX_STATES[delivery]))
    return stmt


def _lines(stmt) -> list[RecipientLine]:
    return [RecipientLine(outbox_id=row[0], email=row[1], name=row[2] or "", name_kana=row[3] or "",
                          affiliation=row[4], company=row[5] or "", status=row[6],
                          outbox_status=OutboxStatus(row[7]), sent_at=row[8], next_attempt_at=row[9],
                          attempts=row[10] or 0, last_error=row[11] or "")
            for row in db.session.execute(stmt)]


def message_recipients(event: Event, message_id: int, *, delivery: Delivery | None = None,
                       page: int = 1) -> MessageRecipients:
    """The message, its counts, and one page of its recipients in a delivery state (None: all).

    A page number out of range shows the nearest page. Raises NotFound (see message_of_event).
    """
    message = message_of_event(event, message_id)
    progress = message_progress(message)
    total = _count(progress, delivery)
    shown = Page.of(page, total=total, size=PAGE_SIZE)
    # Counted and listed in two statements: a mail the worker delivers in between may move one line
    # across pages; the next load is right again, and no page ever reads every row.
    lines = _lines(_recipient_rows(message, delivery).limit(PAGE_SIZE).offset(shown.offset))
    return MessageRecipients(progress, delivery, shown, lines)


def all_recipient_lines(message: RegistrantMessage, *, delivery: Delivery | None = None) -> list[RecipientLine]:
    """Every recipient of the message in a delivery state (None: all), for the CSV."""
    return _lines(_recipient_rows(message, delivery))


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
                             delivery: Delivery | None = None, ip: str | None = None) -> None:
    """Record the download of a recipient list (names and addresses) in the audit trail, with the
    delivery state it was filtered to ("all" when it was not)."""
    with write_transaction():
        record(actor, EXPORT_ACTION, "registrant_message", message.id, event_id=event.id,
               details={"rows": rows, "delivery": delivery.value if delivery else "all", "ip": ip})
