"""Registration rules: seats, waitlist, approval, the attendee's link and the mail each change causes.

Every public function here is one transaction (`write_transaction`), except
`promote_waitlist`, which joins the caller's transaction so a seat is refilled in the same
commit that frees it (cancellation, rejection, capacity raised by the events capability).
"""
from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..audit.services import record
from ..calendar import services as calendar_services
from ..database import is_sqlite, utcnow, write_transaction
from ..enums import ACTIVE_REGISTRATION_STATUSES, AttendanceMode, EventStatus, RegistrationStatus
from ..errors import Conflict, DomainError, ErrorCode, NotFound, ValidationError
from ..events.models import Event, EventSession
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import enqueue, enqueue_row
from ..people.models import Person
from ..people.services import find_person, normalise_email, upsert_person_id
from . import seats
from .sqlite_queue import writer_turn
from .models import Answer, Registration, RegistrationSession
from .tokens import assign_manage_token, hash_token, manage_token, new_nonce, token_for_nonce
from .validation import CleanRegistration, clean_answers, clean_registration, clean_sessions

log = logging.getLogger(__name__)
T = TypeVar("T")

# Core tables for the registration hot path (no unit of work, no identity map).
_registration = Registration.__table__
_answer = Answer.__table__
_outbox = OutboxMessage.__table__
_event = Event.__table__
# What the open check and the creation need of the event, re-read inside the transaction.
_OPEN_COLUMNS = (_event.c.id, _event.c.status, _event.c.starts_at, _event.c.ends_at,
                 _event.c.registration_opens_at, _event.c.registration_closes_at, _event.c.timezone,
                 _event.c.requires_approval)
# Built once: the hot path only binds values (no statement construction per request).
_OPEN_EVENT = select(*_OPEN_COLUMNS).where(_event.c.id == sa.bindparam("event_id"))
_INSERT_REGISTRATION = sa.insert(_registration)
_INSERT_ANSWER = sa.insert(_answer)

SOURCES = ("web", "api", "walk_in", "operator")
# Staff-entered registrations skip the window, consent and kana checks (the desk asks in person).
STAFF_SOURCES = ("walk_in", "operator")
MAIL_FOR_STATUS = {
    RegistrationStatus.CONFIRMED: "registration_confirmed",
    RegistrationStatus.WAITLISTED: "registration_waitlisted",
    RegistrationStatus.PENDING: "registration_pending",
}
RESEND_QUIET_PERIOD = timedelta(minutes=2)
MAX_PROMOTIONS_PER_CALL = 10_000


class AlreadyRegistered(DomainError):
    code = ErrorCode.ALREADY_REGISTERED


class RegistrationResult:
    """What `register` answers. `registration` is the ORM row; a registration written by the
    Core fast path is loaded only if a caller asks for it (the API and the form never do)."""

    def __init__(self, registration: Registration | None, status: RegistrationStatus, token: str | None,
                 waitlist_position: int | None, created: bool, *, registration_id: int = 0,
                 attendance: str = ""):
        self._registration = registration
        self.status = status
        self.token = token  # the raw link token: only for a new registration (or its idempotent replay)
        self.waitlist_position = waitlist_position
        self.created = created
        # Read while the transaction was open, so answering does not reload the row after commit.
        self.registration_id = registration_id or registration.id
        self.attendance = attendance or AttendanceMode(registration.attendance_mode).value

    @property
    def registration(self) -> Registration:
        if self._registration is None:
            self._registration = db.session.get(Registration, self.registration_id)
        return self._registration


# --- helpers ---------------------------------------------------------------------------

def _retrying(fn: Callable[[], T], *, attempts: int = 6) -> T:
    """Run a transaction again after a deadlock, a serialisation failure or a busy SQLite file.

    Those errors mean "nothing happened, try again"; the caller never sees them as a 500.
    """
    for attempt in range(attempts):
        try:
            with writer_turn():
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


def registration_is_open(event: Event, *, now=None) -> tuple[bool, str]:
    """Whether attendees can register now, and if not, a message saying why."""
    from ..templating import local_time

    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return False, _("This event has been cancelled.")
    if event.status == EventStatus.DRAFT:
        return False, _("Registration for this event is not open.")
    if event.status == EventStatus.COMPLETED or event.ends_at <= now:
        return False, _("This event has already taken place.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return False, _("Registration opens on %(date)s.",
                        date=local_time(event.registration_opens_at, event.timezone))
    if event.registration_closes_at and now >= event.registration_closes_at:
        return False, _("Registration closed on %(date)s.",
                        date=local_time(event.registration_closes_at, event.timezone))
    if event.starts_at <= now:
        return False, _("This event has already started; registration is closed.")
    return True, ""


def _check_open(event: Event, source: str) -> None:
    if source in STAFF_SOURCES:
        if event.status == EventStatus.CANCELLED:
            raise DomainError(_("This event has been cancelled."), code=ErrorCode.REGISTRATION_CLOSED)
        return
    is_open, why = registration_is_open(event)
    if not is_open:
        raise DomainError(why, code=ErrorCode.REGISTRATION_CLOSED)


def waitlist_position(registration: Registration) -> int | None:
    """1-based place in the event's waitlist for the same attendance mode."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlist_rank is None:
        return None
    return _waitlist_position(registration.event_id, registration.attendance_mode, registration.waitlist_rank,
                              registration.id)


_AHEAD_IN_WAITLIST = select(func.count()).select_from(_registration).where(
    _registration.c.event_id == sa.bindparam("event_id"),
    _registration.c.status == RegistrationStatus.WAITLISTED,
    _registration.c.attendance_mode == sa.bindparam("mode", type_=_registration.c.attendance_mode.type),
    sa.or_(_registration.c.waitlist_rank < sa.bindparam("rank"),
           sa.and_(_registration.c.waitlist_rank == sa.bindparam("rank"),
                   _registration.c.id < sa.bindparam("registration_id"))),
)


_ahead = _registration.alias("ahead")
# A new waitlisted registration's rank (= its id) and its place in the waitlist in one round
# trip: the UPDATE returns the same count as _AHEAD_IN_WAITLIST (its own row never counts).
_SET_RANK_RETURNING_AHEAD = (
    sa.update(_registration).where(_registration.c.id == sa.bindparam("b_id"))
    .values(waitlist_rank=sa.bindparam("b_rank"))
    .returning(select(func.count()).select_from(_ahead).where(
        _ahead.c.event_id == sa.bindparam("b_event"),
        _ahead.c.status == RegistrationStatus.WAITLISTED,
        _ahead.c.attendance_mode == sa.bindparam("b_mode", type_=_registration.c.attendance_mode.type),
        sa.or_(_ahead.c.waitlist_rank < sa.bindparam("b_rank"),
               sa.and_(_ahead.c.waitlist_rank == sa.bindparam("b_rank"), _ahead.c.id < sa.bindparam("b_id"))),
    ).scalar_subquery())
)


def _waitlist_position(event_id: int, mode: AttendanceMode, rank: int, registration_id: int) -> int:
    ahead = db.session.connection().scalar(_AHEAD_IN_WAITLIST, {"event_id": event_id, "mode": mode, "rank": rank,
                                                   "registration_id": registration_id})
    return int(ahead or 0) + 1


def session_waitlist_position(choice: RegistrationSession) -> int | None:
    if choice.status != RegistrationStatus.WAITLISTED or choice.waitlist_rank is None:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(RegistrationSession).where(
            RegistrationSession.session_id == choice.session_id,
            RegistrationSession.status == RegistrationStatus.WAITLISTED,
            RegistrationSession.waitlist_rank < choice.waitlist_rank,
        )
    )
    return int(ahead or 0) + 1


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


# --- register --------------------------------------------------------------------------

def register(event: Event, data: dict[str, Any], *, source: str = "web", idempotency_key: str | None = None,
             language: str = "ja", actor=None) -> RegistrationResult:
    """Register someone for an event: confirmed, waitlisted or pending approval.

    Raises ValidationError (422), AlreadyRegistered (409; the existing link is mailed to the
    address, never returned), registration_closed (410) or audience_not_allowed (403).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if idempotency_key is not None:
        idempotency_key = str(idempotency_key).strip()[:64] or None
    language = language if language in ("ja", "en") else "ja"
    staff = source in STAFF_SOURCES
    _check_open(event, source)
    clean = clean_registration(event, data, require_kana=(language == "ja" and source == "web"),
                               require_consent=not staff)
    event_id = event.id

    kwargs = dict(source=source, idempotency_key=idempotency_key, language=language, actor=actor)

    def attempt() -> RegistrationResult:
        # Optimistic first: most registrations are new, and the partial unique index catches the
        # rest. A duplicate (or a concurrent twin) rolls back and takes the careful path, which
        # looks before it writes and mails the existing link.
        try:
            return _register_fast(event_id, clean, **kwargs)
        except IntegrityError:
            db.session.rollback()
        for _i in range(3):
            try:
                return _register_once(event_id, clean, **kwargs)
            except IntegrityError:
                db.session.rollback()
        raise Conflict(_("Too many simultaneous changes. Please try again."))

    return _retrying(attempt)


def _fresh_open_event(event_id: int, source: str):
    """The event's state as of this transaction (a Core row with the columns `_check_open` and
    `_create` read): a concurrent cancellation or close is seen here, not missed."""
    event = db.session.connection().execute(_OPEN_EVENT, {"event_id": event_id}).one_or_none()
    if event is None:
        raise NotFound(_("We could not find that event."))
    _check_open(event, source)
    return event


def _register_fast(event_id: int, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
                   language: str, actor) -> RegistrationResult:
    with write_transaction():
        event = _fresh_open_event(event_id, source)
        replay = _existing_for_key(event_id, idempotency_key, clean.email)
        if replay is not None:
            return RegistrationResult(replay, replay.status, manage_token(replay), waitlist_position(replay), False)
        return _create(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                       actor=actor)


def _existing_for_key(event_id: int, key: str | None, email: str) -> Registration | None:
    if not key:
        return None
    existing = db.session.scalar(select(Registration).where(Registration.event_id == event_id,
                                                            Registration.idempotency_key == key))
    if existing is None:
        return None
    if existing.person.email != email:
        raise Conflict(_("This form was already used for another registration. Reload the page and try again."),
                       fields={"idempotency_key": [_("Already used.")]})
    return existing


def _register_once(event_id: int, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
                   language: str, actor) -> RegistrationResult:
    duplicate: Registration | None = None
    with write_transaction():
        event = _fresh_open_event(event_id, source)
        replay = _existing_for_key(event_id, idempotency_key, clean.email)
        if replay is not None:
            return RegistrationResult(replay, replay.status, manage_token(replay), waitlist_position(replay), False)

        person = find_person(clean.email)
        if person is not None:
            duplicate = db.session.scalar(select(Registration).where(
                Registration.event_id == event_id, Registration.person_id == person.id,
                Registration.status.in_(ACTIVE_REGISTRATION_STATUSES)))
            if duplicate is not None:
                _mail_link_again(duplicate)
        if duplicate is None:
            result = _create(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                             actor=actor)
    if duplicate is not None:
        # Committed above (the resend mail), raised here: the answer never carries the link.
        raise AlreadyRegistered(
            _("This email address is already registered for this event. We have sent the link to "
              "your registration page to that address again."),
            fields={"email": [_("Already registered for this event; check your inbox for your link.")]},
        )
    return result


def _create(event, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
            language: str, actor) -> RegistrationResult:
    if not clean.session_ids:
        return _create_core(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                            actor=actor)
    now = utcnow()
    person_id = upsert_person_id(clean.email, name=clean.name, name_kana=clean.name_kana,
                                 affiliation=clean.affiliation, language=language,
                                 consent_at=now if clean.consent else None, **clean.details)
    registration = Registration(
        event_id=event.id, person_id=person_id, attendance_mode=clean.attendance, source=source,
        language=language, idempotency_key=idempotency_key, calendar_uid=f"{uuid.uuid4()}@tsunagu",
        holds_seat=False,
    )
    token = assign_manage_token(registration)
    if event.requires_approval and source not in STAFF_SOURCES:
        registration.status = RegistrationStatus.PENDING
    elif seats.take_event_seat(event.id, clean.attendance):
        registration.status = RegistrationStatus.CONFIRMED
        registration.holds_seat = True
        registration.confirmed_at = now
    else:
        registration.status = RegistrationStatus.WAITLISTED
    for session_id in clean.session_ids:
        registration.session_choices.append(RegistrationSession(session_id=session_id, status=registration.status))
    for question_id, value in clean.answers.items():
        registration.answers.append(Answer(question_id=question_id, value=value))
    db.session.add(registration)
    db.session.flush()  # the partial unique index speaks here for a concurrent twin
    if registration.status == RegistrationStatus.WAITLISTED:
        # The id is unique and increasing: a race-free initial rank (operators may reorder later).
        registration.waitlist_rank = registration.id
    elif registration.status == RegistrationStatus.CONFIRMED and clean.session_ids:
        _claim_session_seats(registration)
    db.session.flush()
    _mail(registration, MAIL_FOR_STATUS[registration.status], email=clean.email)
    if actor is not None:
        _audit(actor, "registration.create", registration, source=source, status=registration.status.value)
    return RegistrationResult(registration, registration.status, token, waitlist_position(registration), True)


def _create_core(event, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
                 language: str, actor) -> RegistrationResult:
    """`_create` for a registration without session choices (the common case), in Core
    statements: the same rows, rules and order as the ORM path, without the unit of work.

    Same guarantees: the seat is taken by the conditional UPDATE before the row exists; the
    partial unique index raises IntegrityError for a duplicate (the caller rolls back and takes
    the careful path); the waitlist rank is the new id; the outbox row is in this transaction.
    """
    now = utcnow()
    person_id = upsert_person_id(clean.email, name=clean.name, name_kana=clean.name_kana,
                                 affiliation=clean.affiliation, language=language,
                                 consent_at=now if clean.consent else None, **clean.details)
    nonce = new_nonce()
    token = token_for_nonce(nonce)
    holds_seat, confirmed_at = False, None
    if event.requires_approval and source not in STAFF_SOURCES:
        status = RegistrationStatus.PENDING
    elif seats.take_event_seat(event.id, clean.attendance):
        status, holds_seat, confirmed_at = RegistrationStatus.CONFIRMED, True, now
    else:
        status = RegistrationStatus.WAITLISTED
    values = dict(event_id=event.id, person_id=person_id, status=status, attendance_mode=clean.attendance,
                  holds_seat=holds_seat, manage_nonce=nonce, manage_token_hash=hash_token(token),
                  idempotency_key=idempotency_key, source=source, language=language,
                  calendar_uid=f"{uuid.uuid4()}@tsunagu", confirmed_at=confirmed_at, calendar_sequence=0,
                  invite_sent_at=None)
    template = MAIL_FOR_STATUS[status]
    # The calendar capability decides the invite version this mail carries (and marks the invite
    # as sent) on the registration as it is about to be written; nothing of it is in the session.
    draft = Registration(**values)
    payload = calendar_services.payload_for_mail(draft, template)
    values["invite_sent_at"] = draft.invite_sent_at
    values["calendar_sequence"] = draft.calendar_sequence
    # Core statements go straight to the transaction's connection (the same transaction as the
    # session's, without the ORM execution layer around each statement).
    conn = db.session.connection()
    registration_id = conn.execute(_INSERT_REGISTRATION, values).inserted_primary_key[0]
    position = None
    if status == RegistrationStatus.WAITLISTED:
        # The id is unique and increasing: a race-free initial rank (operators may reorder later).
        ahead = conn.execute(_SET_RANK_RETURNING_AHEAD, {"b_id": registration_id, "b_rank": registration_id,
                                                         "b_event": event.id, "b_mode": clean.attendance}).scalar_one()
        position = int(ahead) + 1
    if clean.answers:
        conn.execute(_INSERT_ANSWER, [
            {"registration_id": registration_id, "question_id": question_id, "value": value}
            for question_id, value in clean.answers.items()])
    enqueue_row(template, to=clean.email, language=language, registration_id=registration_id,
                event_id=event.id, payload=payload)
    if actor is not None:
        record(actor, "registration.create", "registration", registration_id, event_id=event.id,
               details={"source": source, "status": status.value})
    return RegistrationResult(None, status, token, position, True, registration_id=registration_id,
                              attendance=AttendanceMode(clean.attendance).value)


def _mail_link_again(registration: Registration) -> bool:
    """Queue the "here is your link again" mail, at most once per quiet period per registration."""
    recent = db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.registration_id == registration.id,
        OutboxMessage.template == "registration_link_resent",
        OutboxMessage.created_at > utcnow() - RESEND_QUIET_PERIOD).limit(1))
    if recent is not None:
        return False
    _mail(registration, "registration_link_resent")
    return True


def resend_link(event: Event, email: str) -> None:
    """Mail the link again if this address has a registration for the event; silent either way."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    with write_transaction():
        person = find_person(email)
        if person is None:
            return
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == event.id, Registration.person_id == person.id)
            .order_by(Registration.status.in_(ACTIVE_REGISTRATION_STATUSES).desc(), Registration.created_at.desc())
            .limit(1))
        if registration is not None:
            _mail_link_again(registration)


# --- freeing seats and promotion -------------------------------------------------------

def promote_waitlist(event_id: int) -> list[Registration]:
    """Fill free seats from the waitlist in rank order, in the caller's transaction.

    Called after every seat is freed and by the events capability after raising capacity.
    Candidates are locked with SKIP LOCKED on PostgreSQL, so a waitlisted registration being
    cancelled at this instant is passed over instead of blocking or being promoted twice.
    """
    if not db.session().in_transaction():
        with write_transaction():
            return promote_waitlist(event_id)
    promoted: list[Registration] = []
    for mode in (AttendanceMode.IN_PERSON, AttendanceMode.ONLINE):
        for _i in range(MAX_PROMOTIONS_PER_CALL):
            stmt = (select(Registration)
                    .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED,
                           Registration.attendance_mode == mode)
                    .order_by(Registration.waitlist_rank, Registration.id).limit(1)
                    .execution_options(populate_existing=True))
            if not is_sqlite():
                stmt = stmt.with_for_update(skip_locked=True, of=Registration)
            candidate = db.session.scalars(stmt).one_or_none()
            if candidate is None or not seats.take_event_seat(event_id, mode):
                break
            _confirm(candidate)
            db.session.flush()
            _mail(candidate, "registration_promoted")
            _audit(None, "registration.promote_from_waitlist", candidate)
            promoted.append(candidate)
    for session_id in db.session.scalars(select(EventSession.id).where(EventSession.event_id == event_id)):
        promote_session_waitlist(session_id)
    return promoted


def promote_session_waitlist(session_id: int) -> list[RegistrationSession]:
    """Fill a session's free seats from its own waitlist (the registrations are already confirmed)."""
    promoted = []
    for _i in range(MAX_PROMOTIONS_PER_CALL):
        stmt = (select(RegistrationSession)
                .join(Registration, Registration.id == RegistrationSession.registration_id)
                .where(RegistrationSession.session_id == session_id,
                       RegistrationSession.status == RegistrationStatus.WAITLISTED,
                       Registration.status == RegistrationStatus.CONFIRMED)
                .order_by(RegistrationSession.waitlist_rank, RegistrationSession.registration_id).limit(1)
                .execution_options(populate_existing=True))
        if not is_sqlite():
            stmt = stmt.with_for_update(skip_locked=True, of=RegistrationSession)
        choice = db.session.scalars(stmt).one_or_none()
        if choice is None or not seats.take_session_seat(session_id):
            break
        choice.status, choice.holds_seat, choice.waitlist_rank = RegistrationStatus.CONFIRMED, True, None
        db.session.flush()
        _mail(choice.registration, "registration_promoted",
              payload={"session_id": session_id, "session_title": choice.session.title})
        promoted.append(choice)
    return promoted


def _end(registration: Registration, status: RegistrationStatus) -> None:
    """Move an active registration to cancelled/rejected, freeing its seats and refilling them."""
    held = registration.holds_seat
    registration.status = status
    registration.holds_seat = False
    registration.waitlist_rank = None
    if status == RegistrationStatus.CANCELLED:
        registration.cancelled_at = utcnow()
    if held:
        seats.release_event_seat(registration.event_id, registration.attendance_mode)
    freed_sessions = _release_session_seats(registration, status)
    db.session.flush()
    if held:
        promote_waitlist(registration.event_id)
    else:
        for session_id in freed_sessions:
            promote_session_waitlist(session_id)


def _load_active(registration_id: int, *, allowed: tuple[RegistrationStatus, ...] = ACTIVE_REGISTRATION_STATUSES) -> Registration:
    registration = _locked(Registration, registration_id)
    if registration is None:
        raise NotFound(_("We could not find that registration."))
    if registration.status not in allowed:
        raise DomainError(_("This registration is %(status)s; that action is not possible.",
                            status=status_label(registration.status)), code=ErrorCode.INVALID_STATE)
    return registration


def cancel(registration: Registration, *, actor=None, reason: str = "") -> Registration:
    """Cancel (by the attendee when actor is None, else by staff), free the seat, promote the next."""
    reason = (reason or "").strip()[:1000]

    def run() -> Registration:
        with write_transaction():
            reg = _load_active(registration.id)
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
            reg = _load_active(registration.id, allowed=(RegistrationStatus.PENDING,))
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
            reg = _load_active(registration.id, allowed=(RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED))
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
            reg = _load_active(registration.id, allowed=(RegistrationStatus.WAITLISTED,))
            if not seats.take_event_seat(reg.event_id, reg.attendance_mode):
                raise DomainError(_("No seat is free. Raise the capacity first, or wait for a cancellation."),
                                  code=ErrorCode.EVENT_FULL)
            _confirm(reg)
            db.session.flush()
            _mail(reg, "registration_promoted")
            _audit(actor, "registration.promote", reg)
        return reg

    return _retrying(run)


def move_in_waitlist(registration: Registration, *, actor, to_position: int) -> Registration:
    """Put a waitlisted registration at a 1-based position of its waitlist (others keep their order)."""

    def run() -> Registration:
        with write_transaction():
            reg = _load_active(registration.id, allowed=(RegistrationStatus.WAITLISTED,))
            stmt = (select(Registration).where(Registration.event_id == reg.event_id,
                                               Registration.status == RegistrationStatus.WAITLISTED,
                                               Registration.attendance_mode == reg.attendance_mode)
                    .order_by(Registration.waitlist_rank, Registration.id))
            if not is_sqlite():
                stmt = stmt.with_for_update(of=Registration)
            queue = list(db.session.scalars(stmt))
            ranks = sorted({r.waitlist_rank or r.id for r in queue})
            if len(ranks) != len(queue):  # a tie: fall back to ids, unique and in arrival order
                ranks = sorted(r.id for r in queue)
            old_position = queue.index(reg) + 1
            queue.remove(reg)
            target = min(max(int(to_position), 1), len(queue) + 1)
            queue.insert(target - 1, reg)
            for rank, item in zip(ranks, queue):
                item.waitlist_rank = rank
            _audit(actor, "registration.move_in_waitlist", reg, **{"from": old_position, "to": target})
        return reg

    return _retrying(run)


def update_choices(registration: Registration, *, session_ids: list | None, answers: dict | None,
                   actor=None) -> Registration:
    """Change session choices and/or answers of an active registration (attendee or operator)."""
    event = registration.event
    errors: dict[str, list[str]] = {}
    new_sessions = clean_sessions(event, session_ids, errors) if session_ids is not None else None
    new_answers = clean_answers(event, answers, errors) if answers is not None else None
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)

    def run() -> Registration:
        with write_transaction():
            reg = _load_active(registration.id)
            changes: dict[str, Any] = {}
            if new_sessions is not None:
                current = {c.session_id: c for c in reg.session_choices}
                removed = sorted(set(current) - set(new_sessions))
                added = sorted(set(new_sessions) - set(current))
                for session_id in removed:
                    choice = current[session_id]
                    if choice.holds_seat:
                        seats.release_session_seat(session_id)
                    reg.session_choices.remove(choice)
                for session_id in added:
                    reg.session_choices.append(RegistrationSession(session_id=session_id, status=reg.status))
                db.session.flush()
                if reg.status == RegistrationStatus.CONFIRMED:
                    _claim_session_seats(reg)
                for session_id in removed:
                    promote_session_waitlist(session_id)
                changes.update(sessions_added=added, sessions_removed=removed)
                if added or removed:
                    calendar_services.invite_changed(reg)  # the invite lists the sessions: new version
            if new_answers is not None:
                reg.answers.clear()
                db.session.flush()
                for question_id, value in new_answers.items():
                    reg.answers.append(Answer(question_id=question_id, value=value))
                changes["answers"] = True
            reg.updated_at = utcnow()
            _audit(actor, "registration.update", reg, **{k: v for k, v in changes.items() if v})
        return reg

    return _retrying(run)


def status_label(status: RegistrationStatus) -> str:
    return {
        RegistrationStatus.PENDING: _("awaiting approval"),
        RegistrationStatus.CONFIRMED: _("confirmed"),
        RegistrationStatus.WAITLISTED: _("on the waitlist"),
        RegistrationStatus.CANCELLED: _("cancelled"),
        RegistrationStatus.REJECTED: _("declined"),
    }[RegistrationStatus(status)]
