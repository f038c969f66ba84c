"""Ending and deciding on a registration: cancel (attendee or staff), and the staff decisions
approve, reject and promote by hand; `_end` frees an ended registration's seats and refills them.

Every public function here is one transaction (`write_transaction`).
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..database import utcnow, write_transaction
from ..enums import RegistrationStatus
from ..errors import DomainError, ErrorCode
from ..extensions import db
from . import seats
from .attendance_switch import AlreadyAttending
from .lifecycle import _audit, _confirm, _load_active_for_seats, _mail, _release_session_seats, _retrying
from .models import Registration
from .waitlist import give_back_event_seat, promote_session_waitlist


def attended_cancel_message() -> str:
    return _("You have already been checked in, so the registration can no longer be cancelled. "
             "If something is wrong, please contact the organiser.")


def _end(registration: Registration, status: RegistrationStatus) -> None:
    """Move an active registration to cancelled/rejected, freeing its seats and refilling them."""
    held = registration.holds_seat
    registration.status = status
    registration.holds_seat = False
    registration.waitlist_rank = None
    if status == RegistrationStatus.CANCELLED:
        registration.cancelled_at = utcnow()
    freed_sessions = _release_session_seats(registration, status)
    if held:
        # Refills the event's waitlist, then every session's (the tables just freed included).
        give_back_event_seat(registration.event_id, registration.attendance_mode)
    else:
        db.session.flush()
        for session_id in freed_sessions:
            promote_session_waitlist(session_id)


def cancel(registration: Registration, *, actor=None, reason: str = "") -> Registration:
    """Cancel (by the attendee when actor is None, else by staff), free the seat, promote the next."""
    reason = (reason or "").strip()[:1000]

    def run() -> Registration:
        with write_transaction():
            reg = _load_active_for_seats(registration)
            if actor is None and (reg.checked_in_at or reg.online_joined_at):
                # Checked in (or joined online) already: cancelling now would take them out of the
                # attendance figures and hand their seat on while they are in the room.
                raise AlreadyAttending(attended_cancel_message())
            _end(reg, RegistrationStatus.CANCELLED)
            _mail(reg, "registration_cancelled", payload={"reason": reason, "by_staff": actor is not None})
            _audit(actor, "registration.cancel", reg, reason=reason)
        return reg

    return _retrying(run)


def approve(registration: Registration, *, actor, message: str = "") -> Registration:
    """Approve a pending registration: it takes a seat now, or joins the waitlist when full."""
    message = (message or "").strip()[:2000]

    def run() -> Registration:
        with write_transaction():
            reg = _load_active_for_seats(registration, allowed=(RegistrationStatus.PENDING,))
            reg.decision_message = message
            if seats.take_event_seat(reg.event_id, reg.attendance_mode):
                _confirm(reg)
                template = "registration_approved"
            else:
                reg.status = RegistrationStatus.WAITLISTED
                db.session.flush()
                reg.waitlist_rank = reg.id
                for choice in reg.session_choices:
                    choice.status = RegistrationStatus.WAITLISTED
                template = "registration_waitlisted"
            db.session.flush()
            _mail(reg, template, payload={"message": message, "approved": True})
            _audit(actor, "registration.approve", reg, message=message, result=reg.status.value)
        return reg

    return _retrying(run)


def reject(registration: Registration, *, actor, message: str = "") -> Registration:
    """Decline a pending or waitlisted registration, with an optional message to the attendee."""
    message = (message or "").strip()[:2000]

    def run() -> Registration:
        with write_transaction():
            reg = _load_active_for_seats(registration,
                                         allowed=(RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED))
            reg.decision_message = message
            _end(reg, RegistrationStatus.REJECTED)
            _mail(reg, "registration_rejected", payload={"message": message})
            _audit(actor, "registration.reject", reg, message=message)
        return reg

    return _retrying(run)


def promote(registration: Registration, *, actor) -> Registration:
    """Promote one waitlisted registration by hand, ahead of the queue, if a seat is free."""

    def run() -> Registration:
        with write_transaction():
            reg = _load_active_for_seats(registration, allowed=(RegistrationStatus.WAITLISTED,))
            if not seats.take_event_seat(reg.event_id, reg.attendance_mode):
                raise DomainError(_("No seat is free. Raise the capacity first, or wait for a cancellation."),
                                  code=ErrorCode.EVENT_FULL)
            _confirm(reg)
            db.session.flush()
            _mail(reg, "registration_promoted")
            _audit(actor, "registration.promote", reg)
        return reg

    return _retrying(run)
