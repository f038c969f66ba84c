"""Registration: `register` and its hot path (the Core fast path, the careful path for
duplicates and replays), the open check, and mailing the link again.

Every public function here is one transaction (`write_transaction`). The rest of the capability
lives in `lifecycle` (shared helpers), `waitlist`, `decisions` and `choices`; their public names
are re-exported here, because other capabilities and the tests call `registration.services.X`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..calendar import services as calendar_services
from ..database import utcnow, write_transaction
from ..driver_statements import DriverStatement
from ..enums import ACTIVE_REGISTRATION_STATUSES, AttendanceMode, EventStatus, RegistrationStatus
from ..errors import Conflict, DomainError, ErrorCode, NotFound, ValidationError
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import enqueue_row
from ..people.services import find_person, normalise_email, upsert_person_id
from . import seats
from .choices import SeatWouldBeLost, update_choices  # noqa: F401
from .decisions import approve, cancel, promote, reject  # noqa: F401
from .lifecycle import _audit, _claim_session_seats, _mail, _retrying
from .lifecycle import status_label  # noqa: F401
from .models import Answer, Registration, RegistrationSession
from .registering_event import RegisteringEvent
from .tokens import hash_token, manage_token, new_nonce, token_for_nonce
from .validation import CleanRegistration, clean_registration
from .waitlist import _SET_RANK_RETURNING_AHEAD, waitlist_position
from .waitlist import (  # noqa: F401
    MAX_PROMOTIONS_PER_CALL, move_in_waitlist, promote_session_waitlist, promote_waitlist,
    session_waitlist_position, waitlist_positions,
)

# Core tables for the registration hot path (no unit of work, no identity map).
_registration = Registration.__table__
_answer = Answer.__table__
_outbox = OutboxMessage.__table__
_event = Event.__table__
# What the open check and the creation need of the event, re-read inside the transaction.
_OPEN_COLUMNS = (_event.c.id, _event.c.status, _event.c.starts_at, _event.c.ends_at,
                 _event.c.registration_opens_at, _event.c.registration_closes_at, _event.c.timezone,
                 _event.c.requires_approval)
# Built once and run through the driver: the hot path only binds values.
_OPEN_EVENT = DriverStatement(select(*_OPEN_COLUMNS).where(_event.c.id == sa.bindparam("event_id")))
_NEW_REGISTRATION_VALUES = ("event_id", "person_id", "status", "attendance_mode", "holds_seat", "manage_nonce",
                            "manage_token_hash", "idempotency_key", "source", "language", "calendar_uid",
                            "confirmed_at", "calendar_sequence", "invite_sent_at")
_INSERT_REGISTRATION = DriverStatement(sa.insert(_registration).values(
    {name: sa.bindparam(name, type_=_registration.c[name].type) for name in _NEW_REGISTRATION_VALUES}
).returning(_registration.c.id))
_SET_RANK = DriverStatement(_SET_RANK_RETURNING_AHEAD)
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


@dataclass(frozen=True)
class _NewKeys:
    """A new registration's link secret and calendar UID, made before the writing transaction
    (they need no database), so the SQLite writer's turn covers SQL and little else."""

    nonce: str
    token: str
    token_hash: str
    calendar_uid: str


def _new_keys() -> _NewKeys:
    nonce = new_nonce()
    token = token_for_nonce(nonce)
    return _NewKeys(nonce, token, hash_token(token), f"{uuid.uuid4()}@tsunagu")


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


# --- register --------------------------------------------------------------------------

def register(event: Event | RegisteringEvent, data: dict[str, Any], *, source: str = "web",
             idempotency_key: str | None = None, language: str = "ja", actor=None) -> RegistrationResult:
    """Register someone for an event: confirmed, waitlisted or pending approval. `event` is the
    ORM event (pages, the door) or what the JSON endpoint reads of it (`registering_event`).

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
                               require_consent=not staff, require_answers=not staff)
    event_id = event.id

    kwargs = dict(source=source, idempotency_key=idempotency_key, language=language, actor=actor,
                  keys=_new_keys())

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
    event = _OPEN_EVENT.execute(db.session.connection(), {"event_id": event_id}).first()
    if event is None:
        raise NotFound(_("We could not find that event."))
    _check_open(event, source)
    return event


def _register_fast(event_id: int, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
                   language: str, actor, keys: _NewKeys) -> RegistrationResult:
    with write_transaction():
        event = _fresh_open_event(event_id, source)
        replay = _existing_for_key(event_id, idempotency_key, clean.email)
        if replay is not None:
            return RegistrationResult(replay, replay.status, manage_token(replay), waitlist_position(replay), False)
        return _create(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                       actor=actor, keys=keys)


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


def registration_by_id(registration_id: int) -> Registration:
    """The registration with this id, or NotFound naming the id (the CLI's lookups)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("No registration with id %(id)d.", id=registration_id))
    return registration


def active_registration(event_id: int, email: str) -> Registration | None:
    """The address's active (pending, confirmed or waitlisted) registration for the event: there
    is at most one. `email` must be normalised (`normalise_email`)."""
    person = find_person(email)
    if person is None:
        return None
    return db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.person_id == person.id,
        Registration.status.in_(ACTIVE_REGISTRATION_STATUSES)))


def _register_once(event_id: int, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
                   language: str, actor, keys: _NewKeys) -> RegistrationResult:
    duplicate: Registration | None = None
    with write_transaction():
        event = _fresh_open_event(event_id, source)
        replay = _existing_for_key(event_id, idempotency_key, clean.email)
        if replay is not None:
            return RegistrationResult(replay, replay.status, manage_token(replay), waitlist_position(replay), False)

        duplicate = active_registration(event_id, clean.email)
        if duplicate is not None:
            _mail_link_again(duplicate)
        else:
            result = _create(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                             actor=actor, keys=keys)
    if duplicate is not None:
        # Committed above (the resend mail), raised here: the answer never carries the link.
        raise AlreadyRegistered(
            _("This email address is already registered for this event. We have sent the link to "
              "your registration page to that address again."),
            fields={"email": [_("Already registered for this event; check your inbox for your link.")]},
        )
    return result


def _create(event, clean: CleanRegistration, *, source: str, idempotency_key: str | None,
            language: str, actor, keys: _NewKeys) -> RegistrationResult:
    if not clean.session_ids:
        return _create_core(event, clean, source=source, idempotency_key=idempotency_key, language=language,
                            actor=actor, keys=keys)
    now = utcnow()
    person_id = upsert_person_id(clean.email, name=clean.name, name_kana=clean.name_kana,
                                 affiliation=clean.affiliation, language=language,
                                 consent_at=now if clean.consent else None, **clean.details)
    registration = Registration(
        event_id=event.id, person_id=person_id, attendance_mode=clean.attendance, source=source,
        language=language, idempotency_key=idempotency_key, calendar_uid=keys.calendar_uid,
        manage_nonce=keys.nonce, manage_token_hash=keys.token_hash, holds_seat=False,
    )
    token = keys.token
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
                 language: str, actor, keys: _NewKeys) -> RegistrationResult:
    """`_create` for a registration without session choices (the common case), in Core
    statements: the same rows, rules and order as the ORM path, without the unit of work.

    Same guarantees: the seat is taken by the conditional UPDATE before the row exists; the
    partial unique index raises IntegrityError for a duplicate (the caller rolls back and takes
    the careful path); the waitlist rank is the new id; the outbox row is in this transaction.
    """
    now = utcnow()
    # Core statements go straight to the transaction's connection (the same transaction as the
    # session's, without the ORM execution layer around each statement).
    conn = db.session.connection()
    person_id = upsert_person_id(clean.email, name=clean.name, name_kana=clean.name_kana,
                                 affiliation=clean.affiliation, language=language,
                                 consent_at=now if clean.consent else None, connection=conn, **clean.details)
    holds_seat, confirmed_at = False, None
    if event.requires_approval and source not in STAFF_SOURCES:
        status = RegistrationStatus.PENDING
    elif seats.take_event_seat(event.id, clean.attendance, connection=conn):
        status, holds_seat, confirmed_at = RegistrationStatus.CONFIRMED, True, now
    else:
        status = RegistrationStatus.WAITLISTED
    template = MAIL_FOR_STATUS[status]
    # The calendar capability decides what invite this first mail carries and whether the row
    # records it as sent.
    payload, invite_sent_at = calendar_services.first_mail_invite(template, status)
    values = dict(event_id=event.id, person_id=person_id, status=status, attendance_mode=clean.attendance,
                  holds_seat=holds_seat, manage_nonce=keys.nonce, manage_token_hash=keys.token_hash,
                  idempotency_key=idempotency_key, source=source, language=language,
                  calendar_uid=keys.calendar_uid, confirmed_at=confirmed_at, calendar_sequence=0,
                  invite_sent_at=invite_sent_at)
    registration_id = _INSERT_REGISTRATION.execute(conn, values).scalar()
    position = None
    if status == RegistrationStatus.WAITLISTED:
        # The id is unique and increasing: a race-free initial rank (operators may reorder later).
        ahead = _SET_RANK.execute(conn, {"b_id": registration_id, "b_rank": registration_id,
                                         "b_event": event.id, "b_mode": clean.attendance}).scalar()
        position = int(ahead) + 1
    if clean.answers:
        conn.execute(_INSERT_ANSWER, [
            {"registration_id": registration_id, "question_id": question_id, "value": value}
            for question_id, value in clean.answers.items()])
    enqueue_row(template, to=clean.email, language=language, registration_id=registration_id,
                event_id=event.id, payload=payload, connection=conn)
    if actor is not None:
        record(actor, "registration.create", "registration", registration_id, event_id=event.id,
               details={"source": source, "status": status.value})
    return RegistrationResult(None, status, keys.token, position, True, registration_id=registration_id,
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
