"""Switching a hybrid event's registration between in person and online (attendee or operator).

In-person seats and online places are separate counters. A switch is one transaction: the new
place is taken by the same conditional UPDATE registering uses (`seats.take_event_seat`), the
old seat, if one was held, is given back and refilled from its waitlist exactly as a
cancellation does (`waitlist.give_back_event_seat`), then the attendee is mailed (with the
updated calendar invitation, and the QR ticket when they now come in person) and the change is
audited. A full side refuses: a held seat is never traded for a waitlist place. Breakout tables
have their own seats and an online room as well as a room at the venue, so choices stay as
they are.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..database import utcnow, write_transaction
from ..enums import AttendanceMode, EventKind, EventStatus, RegistrationStatus
from ..errors import DomainError, ErrorCode, ValidationError
from ..events.models import Event
from ..extensions import db
from . import seats
from .lifecycle import _audit, _confirm, _load_active_for_seats, _mail, _retrying
from .models import Registration
from .waitlist import give_back_event_seat, waitlist_position

TEMPLATE = "registration_attendance_switched"
_registration = Registration.__table__


class SwitchOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"    # a place in the new mode is theirs
    PENDING = "pending"        # awaiting approval: only the mode changed (approval takes the seat)
    WAITLISTED = "waitlisted"  # moved from one waitlist to the other, at its end
    ALREADY = "already"        # already in that mode (a double submit): nothing changed


@dataclass(frozen=True)
class SwitchResult:
    registration: Registration
    outcome: SwitchOutcome
    attendance: AttendanceMode
    promoted: int = 0                    # people who took the place given back
    waitlist_position: int | None = None


@dataclass(frozen=True)
class SwitchOffer:
    """What the registration's page offers: a switch to `target` and what it would do.

    `outcome` is None when the target is full and the registration holds a place (refused)."""

    target: AttendanceMode
    outcome: SwitchOutcome | None
    someone_waiting: bool                # someone is in line for the place this one gives back
    waitlist_position: int | None = None  # their place in the target's waitlist (WAITLISTED)


class AttendanceFull(DomainError):
    code = ErrorCode.EVENT_FULL


class AlreadyAttending(DomainError):
    code = ErrorCode.ALREADY_ATTENDING


def other_mode(mode: AttendanceMode) -> AttendanceMode:
    return AttendanceMode.IN_PERSON if mode == AttendanceMode.ONLINE else AttendanceMode.ONLINE


def _refusal(registration: Registration, event: Event, target: AttendanceMode) -> str | None:
    """Why this registration cannot switch at all now (a translated message), or None."""
    if event.kind != EventKind.HYBRID:
        only = _("online") if event.kind == EventKind.WEBINAR else _("in person")
        return _("This event can only be attended %(mode)s.", mode=only)
    if event.status == EventStatus.CANCELLED:
        return _("This event has been cancelled.")
    if event.is_over:
        return _("This event has already taken place.")
    if target == AttendanceMode.ONLINE and registration.checked_in_at is not None:
        return _("Already checked in at the venue: the attendance can no longer be switched to online.")
    return None


def _refuse_if_impossible(registration: Registration, event: Event, target: AttendanceMode) -> None:
    refusal = _refusal(registration, event, target)
    if refusal is not None:
        raise DomainError(refusal, code=ErrorCode.INVALID_STATE)


def _has_place(event: Event, mode: AttendanceMode) -> bool:
    left = event.online_seats_left if mode == AttendanceMode.ONLINE else event.seats_left
    return left is None or left > 0


def _waiting(event_id: int, mode: AttendanceMode) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED,
        Registration.attendance_mode == mode)) or 0)


def switch_offer(registration: Registration) -> SwitchOffer | None:
    """The switch the page shows (read only; the switch itself decides again), or None."""
    event = registration.event
    target = other_mode(registration.attendance_mode)
    if not registration.is_active or _refusal(registration, event, target) is not None:
        return None
    if registration.status == RegistrationStatus.PENDING:
        return SwitchOffer(target, SwitchOutcome.PENDING, someone_waiting=False)
    someone_waiting = registration.holds_seat and _waiting(event.id, registration.attendance_mode) > 0
    if _has_place(event, target):
        return SwitchOffer(target, SwitchOutcome.CONFIRMED, someone_waiting=someone_waiting)
    if registration.status == RegistrationStatus.WAITLISTED:
        return SwitchOffer(target, SwitchOutcome.WAITLISTED, someone_waiting=False,
                           waitlist_position=_waiting(event.id, target) + 1)
    return SwitchOffer(target, None, someone_waiting=someone_waiting)


def _full_message(target: AttendanceMode, status: RegistrationStatus) -> str:
    if status == RegistrationStatus.WAITLISTED:
        if target == AttendanceMode.ONLINE:
            return _("Online places are full too, so nothing was changed. Joining the online waitlist "
                     "instead is possible.")
        return _("The venue is full too, so nothing was changed. Joining the waitlist for the venue "
                 "instead is possible.")
    if target == AttendanceMode.ONLINE:
        return _("Online places are full, so nothing was changed: the seat at the venue is kept.")
    return _("The venue is full, so nothing was changed: the online place is kept.")


_LAST_RANK = select(func.max(_registration.c.waitlist_rank)).where(
    _registration.c.event_id == sa.bindparam("event_id"),
    _registration.c.status == RegistrationStatus.WAITLISTED,
    _registration.c.attendance_mode == sa.bindparam("mode", type_=_registration.c.attendance_mode.type))


def _join_end_of_waitlist(registration: Registration, mode: AttendanceMode) -> None:
    # The end of the other line: those already in it came first. Switches take turns on the event
    # row; a registration joining the line at this instant (rank = its id) may tie, and ranks
    # tie-break by registration id everywhere.
    last = db.session.connection().scalar(_LAST_RANK, {"event_id": registration.event_id, "mode": mode})
    registration.attendance_mode = mode
    registration.waitlist_rank = int(last or 0) + 1


def switch_attendance(registration: Registration, to: AttendanceMode | str, *, actor=None,
                      join_waitlist: bool = False) -> SwitchResult:
    """Switch an active registration of a hybrid event to attending `to` (in person or online).

    Confirmed or waitlisted: confirmed in the new mode when a place is free there, the old seat
    going to the next in line; else AttendanceFull (409) and nothing changes — except that a
    waitlisted registration with `join_waitlist` moves to the end of the other mode's waitlist.
    Pending: only the mode changes. Already in that mode: ALREADY, nothing written.
    """
    try:
        target = AttendanceMode(str(getattr(to, "value", to)))
    except ValueError:
        message = _("Choose whether you will attend in person or online.")
        raise ValidationError(message, fields={"attendance": [message]}) from None

    def answer_without_locking() -> SwitchResult | None:
        # A double submit, or a switch that cannot happen, is answered from a plain read.
        reg = db.session.get(Registration, registration.id, populate_existing=True)
        if reg is not None and reg.is_active and reg.attendance_mode == target:
            return SwitchResult(reg, SwitchOutcome.ALREADY, target, waitlist_position=waitlist_position(reg))
        if reg is not None and reg.is_active:
            _refuse_if_impossible(reg, db.session.get(Event, reg.event_id, populate_existing=True), target)
        return None

    def run() -> SwitchResult:
        if (answer := answer_without_locking()) is not None:
            return answer
        with write_transaction():
            # The event row first, then the registration's. A promotion passes over waitlisted
            # rows locked by others (SKIP LOCKED): were a waitlisted row locked here while a
            # cancellation's promotion ran, that person would lose the seat it frees. Every seat
            # change holds the event row, so this switch and that promotion take turns instead.
            reg = _load_active_for_seats(registration)  # the event row locked first, then this one
            event = db.session.get(Event, reg.event_id)  # as just locked and read
            if reg.attendance_mode == target:  # a twin request went first
                return SwitchResult(reg, SwitchOutcome.ALREADY, target, waitlist_position=waitlist_position(reg))
            _refuse_if_impossible(reg, event, target)
            previous, held, promoted = reg.attendance_mode, reg.holds_seat, []
            if reg.status == RegistrationStatus.PENDING:
                reg.attendance_mode, outcome = target, SwitchOutcome.PENDING
            elif seats.take_event_seat(event.id, target):
                reg.attendance_mode, outcome = target, SwitchOutcome.CONFIRMED
                if reg.status == RegistrationStatus.WAITLISTED:
                    _confirm(reg)  # leaves the waitlist; claims its tables' seats as a promotion does
                reg.holds_seat = True
                db.session.flush()
                if held:
                    promoted = give_back_event_seat(event.id, previous)
            elif reg.status == RegistrationStatus.WAITLISTED and join_waitlist:
                _join_end_of_waitlist(reg, target)
                outcome = SwitchOutcome.WAITLISTED
            else:
                raise AttendanceFull(_full_message(target, reg.status))
            reg.updated_at = utcnow()
            db.session.flush()
            position = waitlist_position(reg)
            payload = {"from": previous.value, "to": target.value, "outcome": outcome.value,
                       "released": held and outcome == SwitchOutcome.CONFIRMED, "promoted": len(promoted),
                       "by_staff": actor is not None}
            if position is not None:
                payload["position"] = position
            _mail(reg, TEMPLATE, payload=payload)
            _audit(actor, "registration.switch_attendance", reg, attendance_from=previous.value,
                   attendance_to=target.value, result=reg.status.value)
        return SwitchResult(reg, outcome, target, promoted=len(promoted), waitlist_position=position)

    return _retrying(run)


def require_change(result: SwitchResult) -> SwitchResult:
    """The result of a switch that changed something, else AlreadyAttending (409).

    The pages answer a switch to the current mode kindly (a double click); an API client asking for
    the mode the registration already has is told so instead, as with any other refused switch."""
    if result.outcome != SwitchOutcome.ALREADY:
        return result
    mode = _("online") if result.attendance == AttendanceMode.ONLINE else _("in person")
    raise AlreadyAttending(_("Already attending %(mode)s: nothing changed.", mode=mode))
