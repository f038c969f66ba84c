"""Shared registration lifecycle helpers: the retried transaction, row locks, the mail and the
audit entry of a change, confirming a registration and claiming or releasing its seats, loading an
active registration for a change, and status labels.

Used by `services` (register), `waitlist`, `decisions` and `choices`; imports none of them.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ..audit.services import record
from ..calendar import services as calendar_services
from ..database import is_sqlite, utcnow
from ..enums import ACTIVE_REGISTRATION_STATUSES, RegistrationStatus
from ..errors import DomainError, ErrorCode, NotFound
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import enqueue
from ..people.models import Person
from . import seats
from .models import Registration, RegistrationSession

log = logging.getLogger(__name__)
T = TypeVar("T")


def _retrying(fn: Callable[[], T], *, attempts: int = 6) -> T:
    """Run a transaction again after a deadlock, a serialisation failure or a busy SQLite file.

    Those errors mean "nothing happened, try again"; the caller never sees them as a 500.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as err:
            text = str(err.orig).lower() if err.orig is not None else str(err).lower()
            transient = any(s in text for s in ("deadlock", "could not serialize", "database is locked", "busy"))
            if not transient or attempt == attempts - 1:
                raise
            log.info("retrying a registration transaction after: %s", text[:120])
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")


def _locked(model, ident: int):
    """Re-read a row under a row lock (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises writers."""
    stmt = select(model).where(model.id == ident).execution_options(populate_existing=True)
    if not is_sqlite():
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt).one_or_none()


def _next_session_rank(session_id: int) -> int:
    # Ranks only order the queue; a tie from two concurrent writers is broken by registration id.
    current = db.session.scalar(select(func.max(RegistrationSession.waitlist_rank))
                                .where(RegistrationSession.session_id == session_id))
    return int(current or 0) + 1


def _mail(registration: Registration, template: str, *, payload: dict | None = None,
          email: str | None = None) -> OutboxMessage:
    email = email or (registration.person or db.session.get(Person, registration.person_id)).email
    # The calendar capability records the invite version (SEQUENCE) this mail carries.
    payload = {**(payload or {}), **calendar_services.payload_for_mail(registration, template)}
    return enqueue(template, to=email, language=registration.language, registration=registration,
                   event=registration.event, payload=payload)


def _audit(actor, action: str, registration: Registration, **details) -> None:
    record(actor if actor is not None else "attendee", action, "registration", registration.id,
           event_id=registration.event_id, details={k: v for k, v in details.items() if v not in (None, "")})


def _claim_session_seats(registration: Registration) -> list[int]:
    """Give a newly confirmed registration its session seats, or a place in a session's waitlist."""
    waitlisted = []
    for choice in sorted(registration.session_choices, key=lambda c: c.session_id):
        if choice.holds_seat:
            continue
        if seats.take_session_seat(choice.session_id):
            choice.status, choice.holds_seat, choice.waitlist_rank = RegistrationStatus.CONFIRMED, True, None
        else:
            choice.status, choice.holds_seat = RegistrationStatus.WAITLISTED, False
            choice.waitlist_rank = _next_session_rank(choice.session_id)
            waitlisted.append(choice.session_id)
    return waitlisted


def _release_session_seats(registration: Registration, status: RegistrationStatus) -> list[int]:
    freed = []
    for choice in sorted(registration.session_choices, key=lambda c: c.session_id):
        if choice.holds_seat:
            seats.release_session_seat(choice.session_id)
            freed.append(choice.session_id)
        choice.status, choice.holds_seat, choice.waitlist_rank = status, False, None
    return freed


def _confirm(registration: Registration) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.holds_seat = True
    registration.waitlist_rank = None
    registration.confirmed_at = utcnow()
    _claim_session_seats(registration)


def _load_active(registration_id: int, *, allowed: tuple[RegistrationStatus, ...] = ACTIVE_REGISTRATION_STATUSES) -> Registration:
    registration = _locked(Registration, registration_id)
    if registration is None:
        raise NotFound(_("We could not find that registration."))
    if registration.status not in allowed:
        raise DomainError(_("This registration is %(status)s; that action is not possible.",
                            status=status_label(registration.status)), code=ErrorCode.INVALID_STATE)
    return registration


def _load_active_for_seats(registration: Registration, *,
                           allowed: tuple[RegistrationStatus, ...] = ACTIVE_REGISTRATION_STATUSES) -> Registration:
    """`_load_active` for an action that may take or give back an event seat: the event row is
    locked first, then the registration's. Every such action (cancel, approve, reject, promote,
    the attendance switch) takes them in this one order, so two of them on one registration queue
    instead of deadlocking; the switch needs the event first (attendance_switch says why)."""
    _locked(Event, registration.event_id)
    return _load_active(registration.id, allowed=allowed)


def status_label(status: RegistrationStatus) -> str:
    return {
        RegistrationStatus.PENDING: _("awaiting approval"),
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.WAITLISTED: _("on the waitlist"),
        RegistrationStatus.CANCELLED: _("cancelled"),
        RegistrationStatus.REJECTED: _("declined"),
    }[RegistrationStatus(status)]
