"""Tickets: issuing a registration's ticket on first need, and reissuing (revoking the old code)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..database import utcnow, write_transaction
from ..enums import AttendanceMode, RegistrationStatus
from ..errors import Conflict, NotFound
from ..extensions import db
from ..mail.services import enqueue
from ..registration.models import Registration
from . import codes
from .models import Ticket
from .row_helpers import _locked_registration


def _current_ticket_row(registration_id: int) -> Ticket | None:
    return db.session.scalar(
        select(Ticket).where(Ticket.registration_id == registration_id, Ticket.revoked_at.is_(None))
    )


def _stamp_changed(registration_id: int) -> None:
    """A new or revoked code changes what the door's offline list holds of the registration: door
    devices poll registrations by `updated_at` (queries.check_in_changes). Stamped before the
    ticket is written, so issuing locks the registration row first, in the order re-issuing does."""
    db.session.execute(sa.update(Registration).where(Registration.id == registration_id).values(updated_at=utcnow()))


def current_ticket(registration: Registration) -> Ticket | None:
    """The registration's valid ticket, issued on first need; None unless it is confirmed."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    ticket = _current_ticket_row(registration.id)
    if ticket is not None:
        return ticket
    registration_id = registration.id
    try:
        with write_transaction():
            _stamp_changed(registration_id)
            ticket = Ticket(registration_id=registration_id, code_id=codes.new_code_id())
            db.session.add(ticket)
    except IntegrityError:
        # Two first views at once: the partial unique index let one ticket through; use it.
        ticket = _current_ticket_row(registration_id)
    return ticket


def ticket_code(registration: Registration) -> str | None:
    """The signed code of the registration's current ticket (issuing it if needed)."""
    ticket = current_ticket(registration)
    return codes.code_for(ticket.code_id) if ticket else None


def reissue_ticket(registration_id: int, *, actor, reason: str = "") -> Ticket:
    """Revoke the current ticket and issue a new one: the old code answers `revoked` from now on."""
    reason = (reason or "").strip()[:200]
    with write_transaction():
        registration = _locked_registration(registration_id)
        if registration is None:
            raise NotFound(_("No such registration."))
        if registration.status != RegistrationStatus.CONFIRMED:
            raise Conflict(_("Only confirmed registrations have tickets."))
        # A new code would admit no one, and its mail would announce a ticket for a day that is off or over.
        if registration.event.is_cancelled:
            raise Conflict(_("The event was cancelled: its tickets are not re-issued."))
        if registration.event.is_over:
            raise Conflict(_("The event is over: its tickets are not re-issued."))
        _stamp_changed(registration_id)
        old = _current_ticket_row(registration_id)
        if old is not None:
            old.revoked_at = utcnow()
            old.revoked_reason = reason
            db.session.flush()  # the partial unique index must see the old row revoked first
        ticket = Ticket(registration_id=registration_id, code_id=codes.new_code_id())
        db.session.add(ticket)
        db.session.flush()
        record(actor, "ticket.reissued", "registration", registration_id, event_id=registration.event_id,
               details={"reason": reason, "revoked_ticket_id": old.id if old else None})
        if registration.attendance_mode != AttendanceMode.ONLINE:
            # The old QR now answers `revoked` at the door: the attendee gets the new one at once,
            # in the same transaction (the QR is attached when the mail is built).
            enqueue("ticket_reissued", to=registration.person.email, language=registration.language,
                    registration=registration)
    return ticket
