"""Tickets and check-in: one service decides every admission, whatever asked for it.

The scanner page, the JSON API, manual search, offline sync and the ticket page's button all end
in `_admit`, which decides with one conditional UPDATE (`... WHERE checked_in_at IS NULL AND
status = 'confirmed'`) and writes the append-only history row in the same transaction; breakout
sessions and undo re-read the row under a lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers) and re-check. Two staff scanning one ticket at the same
moment therefore get one `ok` and one `already_checked_in`.
"""
from __future__ import annotations

import enum
import os
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone
    fcntl = None

from ..audit.services import record
from ..auth.models import StaffUser
from ..database import is_sqlite, utcnow, write_transaction
from ..enums import AttendanceMode, CheckInKind, CheckInSource, RegistrationStatus
from ..errors import Conflict, NotFound, ValidationError
from ..events.models import Event, EventSession
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration, RegistrationSession
from . import codes
from .models import CheckIn, Ticket

MAX_NONCE = 100
MAX_REASON = 500

# SQLite has one writer at a time and makes the others poll with growing sleeps (busy_timeout),
# which at a busy door turns 2 ms check-ins into 100 ms ones. Threads of one process queue
# here instead, on a lock that wakes the next one the moment the write commits.
# Several gunicorn workers (processes) share the file too, and between processes SQLite's busy
# handler sleeps 1, 2, 5, 10 ... 100 ms: under 16 scanners that sleep was most of the p99. So
# writers also take an exclusive flock on a file beside the database, which the kernel hands to
# the next waiter the moment it is released. It only orders writers; BEGIN IMMEDIATE and the
# conditional UPDATE still decide, and no state is kept in memory.
_SQLITE_WRITERS = threading.Lock()


def _lock_path(database: str | None) -> str | None:
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".door-lock"


@contextmanager
def _door_write():
    if is_sqlite():
        with _SQLITE_WRITERS:
            # Opened per write (microseconds): no descriptor is shared across a fork or kept open.
            path, fd = _lock_path(db.engine.url.database), None
            if path is not None:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                except OSError:  # a read-only directory: SQLite's own busy handler alone
                    fd = None
            try:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                with write_transaction() as session:
                    yield session
            finally:
                if fd is not None:
                    os.close(fd)  # releases the flock
    else:
        # PostgreSQL: the scan's reads ran in the request's READ COMMITTED transaction; the
        # admission continues in it instead of COMMIT + BEGIN (two round trips). The conditional
        # UPDATE re-reads the row under its lock, so what decides is the same.
        session = db.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class CheckInResult(enum.StrEnum):
    """Stable result codes: clients switch on these, people read the translated message."""

    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_CODE = "unknown_code"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    REVOKED = "revoked"
    REJECTED = "rejected"
    NOT_IN_SESSION = "not_in_session"


_STATUS_RESULT = {
    RegistrationStatus.CANCELLED: CheckInResult.CANCELLED,
    RegistrationStatus.WAITLISTED: CheckInResult.WAITLISTED,
    RegistrationStatus.PENDING: CheckInResult.PENDING_APPROVAL,
    RegistrationStatus.REJECTED: CheckInResult.REJECTED,
}


_RESULT_MESSAGES = {
    CheckInResult.OK: lambda: _("Checked in"),
    CheckInResult.ALREADY_CHECKED_IN: lambda: _("Already checked in"),
    CheckInResult.UNKNOWN_CODE: lambda: _("Unknown code: not a ticket of ours"),
    CheckInResult.WRONG_EVENT: lambda: _("This ticket is for another event"),
    CheckInResult.CANCELLED: lambda: _("This registration was cancelled"),
    CheckInResult.WAITLISTED: lambda: _("On the waiting list: no seat confirmed"),
    CheckInResult.PENDING_APPROVAL: lambda: _("Awaiting approval: not confirmed yet"),
    CheckInResult.REVOKED: lambda: _("This ticket was replaced by a newer one"),
    CheckInResult.REJECTED: lambda: _("This registration was declined"),
    CheckInResult.NOT_IN_SESSION: lambda: _("Not registered for this session"),
}


def result_message(result: CheckInResult) -> str:
    return _RESULT_MESSAGES[result]()


@dataclass
class Outcome:
    result: CheckInResult
    registration: Registration | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    history_id: int | None = None
    conflict: bool = False
    replayed: bool = False
    session: EventSession | None = None
    other_event: Event | None = None
    # The registration as the door shows it, taken before the commit expires the ORM object.
    registration_data: dict | None = None

    @property
    def ok(self) -> bool:
        return self.result == CheckInResult.OK


# --- tickets ---------------------------------------------------------------------------

def _current_ticket_row(registration_id: int) -> Ticket | None:
    return db.session.scalar(
        select(Ticket).where(Ticket.registration_id == registration_id, Ticket.revoked_at.is_(None))
    )


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
    return ticket


# --- deciding a check-in ----------------------------------------------------------------

def _locked_registration(registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.id == registration_id)
        .with_for_update().execution_options(populate_existing=True)
    )


def _staff_name(staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    staff = db.session.get(StaffUser, staff_id)
    return staff.display_name if staff else None


def _replay(row: CheckIn) -> Outcome:
    """The original answer to a nonce seen before: retries and re-synced queues change nothing."""
    registration = db.session.get(Registration, row.registration_id)
    result = CheckInResult.ALREADY_CHECKED_IN if row.conflict else CheckInResult.OK
    at = registration.checked_in_at if row.conflict else row.client_at or row.at
    by = _staff_name(registration.checked_in_by_id if row.conflict else row.staff_id)
    session = db.session.get(EventSession, row.session_id) if row.session_id else None
    return Outcome(result, registration, at, by, history_id=row.id, conflict=row.conflict, replayed=True,
                   session=session)


def _status_failure(registration: Registration) -> Outcome | None:
    result = _STATUS_RESULT.get(registration.status)
    return Outcome(result, registration) if result else None


# The hot path reads one row per scan with plain Core statements built once: the ticket, its
# registration, the person and whoever checked them in. Everything the door shows is in it.
_SHOWN = (Registration.id, Registration.event_id, Registration.status, Registration.attendance_mode,
          Registration.source, Registration.checked_in_at, Registration.checked_in_by_id,
          Registration.online_joined_at, Person.name, Person.name_kana, Person.email, Person.affiliation,
          Person.company, Person.job_title, Person.department, Person.former_department, Person.joined_year,
          Person.left_year, StaffUser.name.label("by_name"), StaffUser.email.label("by_email"))


def _shown_from(stmt):
    return (stmt.join(Person, Registration.person_id == Person.id)
            .outerjoin(StaffUser, Registration.checked_in_by_id == StaffUser.id))


_BY_CODE = _shown_from(select(Ticket.revoked_at, *_SHOWN).select_from(Ticket)
                       .join(Registration, Ticket.registration_id == Registration.id)
                       ).where(Ticket.code_id == sa.bindparam("code_id"))
_BY_ID = _shown_from(select(*_SHOWN).select_from(Registration)).where(Registration.id == sa.bindparam("rid"))
_NONCE_SEEN = select(CheckIn.id).where(CheckIn.nonce == sa.bindparam("nonce"))
_REGISTRATION = Registration.__table__
_CHECK_IN = CheckIn.__table__
# The admission's two statements, built once so each scan reuses their compiled form.
_ADMIT = (_REGISTRATION.update()
          .where(_REGISTRATION.c.id == sa.bindparam("rid"),
                 _REGISTRATION.c.status == RegistrationStatus.CONFIRMED.value,
                 _REGISTRATION.c.checked_in_at.is_(None))
          .values(checked_in_at=sa.bindparam("at"), checked_in_by_id=sa.bindparam("by"),
                  updated_at=sa.bindparam("now")))
_HISTORY = (_CHECK_IN.insert()
            .values(registration_id=sa.bindparam("registration_id"), event_id=sa.bindparam("event_id"),
                    kind=CheckInKind.CHECK_IN.value, mode=AttendanceMode.IN_PERSON.value,
                    source=sa.bindparam("source"), at=sa.bindparam("at"), client_at=sa.bindparam("client_at"),
                    staff_id=sa.bindparam("staff_id"), device=sa.bindparam("device"), nonce=sa.bindparam("nonce"),
                    conflict=sa.bindparam("conflict"), reason="")
            .returning(_CHECK_IN.c.id))


def _row_json(row) -> dict:
    return {
        "id": row.id, "name": row.name, "name_kana": row.name_kana, "email": row.email,
        "affiliation": row.affiliation.value, "company": row.company, "job_title": row.job_title,
        "department": row.department, "former_department": row.former_department,
        "joined_year": row.joined_year, "left_year": row.left_year, "status": row.status.value,
        "attendance_mode": row.attendance_mode.value, "source": row.source,
        "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
        "checked_in_by": (row.by_name or row.by_email) if row.checked_in_by_id else None,
        "online_joined_at": row.online_joined_at.isoformat() if row.online_joined_at else None,
    }


def _judge_row(event: Event, row) -> Outcome | None:
    """The refusal a registration row earns at this event's door, or None when it may enter."""
    if row.event_id != event.id:
        # Say which event the ticket is for (so staff can redirect the guest), not whose it is.
        return Outcome(CheckInResult.WRONG_EVENT, other_event=db.session.get(Event, row.event_id))
    if getattr(row, "revoked_at", None) is not None:
        return Outcome(CheckInResult.REVOKED, registration_data=_row_json(row))
    result = _STATUS_RESULT.get(row.status)
    return Outcome(result, registration_data=_row_json(row)) if result else None


def _resolve_code(event: Event, text: str):
    code_id = codes.verify(text)
    if code_id is None:
        return Outcome(CheckInResult.UNKNOWN_CODE), None
    row = db.session.connection().execute(_BY_CODE, {"code_id": code_id}).first()
    if row is None:
        return Outcome(CheckInResult.UNKNOWN_CODE), None
    return _judge_row(event, row), row


def _resolve_registration(event: Event, registration_id: int):
    row = db.session.connection().execute(_BY_ID, {"rid": registration_id}).first()
    if row is None:
        raise NotFound(_("No such registration."))
    return _judge_row(event, row), row


def _check_nonce(nonce: str | None) -> str | None:
    if nonce is None or nonce == "":
        return None
    nonce = str(nonce).strip()
    if not nonce or len(nonce) > MAX_NONCE:
        raise ValidationError(_("The nonce must be 1 to 100 characters."),
                              fields={"nonce": [_("The nonce must be 1 to 100 characters.")]})
    return nonce


def _nonce_row(nonce: str | None) -> CheckIn | None:
    if not nonce:
        return None
    seen = db.session.connection().execute(_NONCE_SEEN, {"nonce": nonce}).scalar()
    return db.session.get(CheckIn, seen) if seen else None


def check_in_code(event: Event, text: str, *, staff: StaffUser | None, source: CheckInSource = CheckInSource.SCAN,
                  nonce: str | None = None, device: str = "", client_at: datetime | None = None,
                  session_id: int | None = None) -> Outcome:
    """Check in whoever holds this code: a full ticket URL or the bare code, as scanned."""
    nonce = _check_nonce(nonce)
    if (replayed := _nonce_row(nonce)) is not None:
        return _replay(replayed)
    failure, row = _resolve_code(event, text)
    if failure is not None:
        return failure
    return _admit(event, row, staff=staff, source=source, nonce=nonce, device=device,
                  client_at=client_at, session_id=session_id)


def check_in_registration(event: Event, registration_id: int, *, staff: StaffUser | None,
                          source: CheckInSource = CheckInSource.SEARCH, nonce: str | None = None,
                          device: str = "", client_at: datetime | None = None,
                          session_id: int | None = None) -> Outcome:
    """Check in a registration picked by id (manual search, walk-in, offline search)."""
    nonce = _check_nonce(nonce)
    if (replayed := _nonce_row(nonce)) is not None:
        return _replay(replayed)
    failure, row = _resolve_registration(event, registration_id)
    if failure is not None:
        return failure
    return _admit(event, row, staff=staff, source=source, nonce=nonce, device=device,
                  client_at=client_at, session_id=session_id)


def _admit(event: Event, row, *, staff, source: CheckInSource, nonce: str | None,
           device: str, client_at: datetime | None, session_id: int | None) -> Outcome:
    """Admit a registration once: a conditional UPDATE decides, whatever else runs at the same time.

    `UPDATE registration SET checked_in_at=... WHERE id=... AND status='confirmed' AND
    checked_in_at IS NULL` changes one row for exactly one of any number of concurrent scans
    (PostgreSQL re-evaluates the WHERE after waiting for the row; SQLite serialises writers), and
    the history row is written in the same transaction. A scan that changes nothing re-reads the
    row to say why: already checked in (when, by whom), or no longer confirmed.
    """
    staff_id = staff.id if staff is not None else None
    staff_name = staff.display_name if staff is not None else None
    if session_id is not None:
        return _admit_to_session_locked(event, row.id, session_id, staff_id=staff_id, source=source,
                                        nonce=nonce, device=device, client_at=client_at)
    shown = _row_json(row)
    registration_id, event_id = row.id, row.event_id
    if row.checked_in_at is not None and source != CheckInSource.OFFLINE_SYNC:
        # A repeat scan needs no write. Only offline syncs must record the second admission
        # (a conflict), so they take the writing path.
        return Outcome(CheckInResult.ALREADY_CHECKED_IN, None, row.checked_in_at, shown["checked_in_by"],
                       registration_data=shown)
    now = utcnow()
    # An offline scan happened when the device says (never in the future); others happen now.
    admitted_at = min(client_at, now) if (client_at and source == CheckInSource.OFFLINE_SYNC) else now
    try:
        with _door_write() as session:
            connection = session.connection()
            changed = connection.execute(
                _ADMIT, {"rid": registration_id, "at": admitted_at, "by": staff_id, "now": now}
            ).rowcount
            if changed:
                history_id = _insert_history(connection, registration_id, event_id, staff_id=staff_id,
                                             source=source, nonce=nonce, device=device, client_at=client_at, at=now)
                shown.update(checked_in_at=admitted_at.isoformat(), checked_in_by=staff_name)
                return Outcome(CheckInResult.OK, None, admitted_at, staff_name, history_id=history_id,
                               registration_data=shown)
            # Someone else changed the row first: say what it is now.
            current = connection.execute(_BY_ID, {"rid": registration_id}).one()
            if (replayed := _nonce_row(nonce)) is not None:
                return _replay(replayed)
            shown = _row_json(current)
            if current.status != RegistrationStatus.CONFIRMED:
                return Outcome(_STATUS_RESULT[current.status], registration_data=shown)
            history_id = None
            conflict = source == CheckInSource.OFFLINE_SYNC
            if conflict:
                history_id = _insert_history(connection, registration_id, event_id, staff_id=staff_id,
                                             source=source, nonce=nonce, device=device, client_at=client_at,
                                             at=now, conflict=True)
            return Outcome(CheckInResult.ALREADY_CHECKED_IN, None, current.checked_in_at, shown["checked_in_by"],
                           history_id=history_id, conflict=conflict, registration_data=shown)
    except IntegrityError:
        # The same nonce raced in from a concurrent retry; its first answer stands.
        db.session.rollback()
        if (replayed := _nonce_row(nonce)) is not None:
            return _replay(replayed)
        raise


def _insert_history(connection, registration_id: int, event_id: int, *, staff_id, source, nonce, device,
                    client_at, at, conflict: bool = False) -> int:
    return connection.execute(
        _HISTORY, {"registration_id": registration_id, "event_id": event_id, "source": source.value, "at": at,
                   "client_at": client_at, "staff_id": staff_id, "device": (device or "")[:100], "nonce": nonce,
                   "conflict": conflict}
    ).scalar_one()


def _admit_to_session_locked(event, registration_id, session_id, *, staff_id, source, nonce, device,
                             client_at) -> Outcome:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event.id:
        raise NotFound(_("No such session at this event."))
    try:
        with write_transaction():
            registration = _locked_registration(registration_id)
            if (replayed := _nonce_row(nonce)) is not None:
                return _replay(replayed)
            if (failure := _status_failure(registration)) is not None:
                return failure
            outcome = _admit_to_session(registration, session, staff_id=staff_id, source=source, nonce=nonce,
                                        device=device, client_at=client_at, at=utcnow())
            outcome.registration_data = registration_json(registration)
            return outcome
    except IntegrityError:
        if (replayed := _nonce_row(nonce)) is not None:
            return _replay(replayed)
        raise


def _admit_to_session(registration, session, *, staff_id, source, nonce, device, client_at, at) -> Outcome:
    choice = db.session.scalar(
        select(RegistrationSession).where(RegistrationSession.registration_id == registration.id,
                                          RegistrationSession.session_id == session.id)
        .with_for_update().execution_options(populate_existing=True)
    )
    if choice is None or choice.status != RegistrationStatus.CONFIRMED:
        return Outcome(CheckInResult.NOT_IN_SESSION, registration, session=session)
    if choice.checked_in_at is not None:
        return Outcome(CheckInResult.ALREADY_CHECKED_IN, registration, choice.checked_in_at, session=session)
    choice.checked_in_at = at
    row = _history_row(registration, CheckInKind.CHECK_IN, staff_id=staff_id, source=source, nonce=nonce,
                       device=device, client_at=client_at, session_id=session.id)
    return Outcome(CheckInResult.OK, registration, at, _staff_name(staff_id), history_id=row.id, session=session)


def _history_row(registration: Registration, kind: CheckInKind, *, staff_id, source, nonce=None, device="",
                 client_at=None, conflict=False, session_id=None, reason="",
                 mode: AttendanceMode = AttendanceMode.IN_PERSON) -> CheckIn:
    row = CheckIn(registration_id=registration.id, event_id=registration.event_id, session_id=session_id,
                  kind=kind, mode=mode, source=source, at=utcnow(), client_at=client_at, staff_id=staff_id,
                  device=(device or "")[:100], nonce=nonce, conflict=conflict, reason=reason)
    db.session.add(row)
    db.session.flush()
    return row


def undo_check_in(event: Event, registration_id: int, *, staff: StaffUser, reason: str,
                  session_id: int | None = None, device: str = "") -> Outcome:
    """Take back a check-in, with a reason; the history keeps both rows."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the check-in is undone."), fields={"reason": [_("A reason is required.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(_("The reason is too long (500 characters at most)."),
                              fields={"reason": [_("500 characters at most.")]})
    with write_transaction():
        registration = _locked_registration(registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound(_("No such registration at this event."))
        if session_id is not None:
            choice = db.session.scalar(
                select(RegistrationSession).where(RegistrationSession.registration_id == registration_id,
                                                  RegistrationSession.session_id == session_id).with_for_update())
            if choice is None or choice.checked_in_at is None:
                raise Conflict(_("This person is not checked in to that session."))
            choice.checked_in_at = None
        else:
            if registration.checked_in_at is None:
                raise Conflict(_("This person is not checked in."))
            registration.checked_in_at = None
            registration.checked_in_by_id = None
        row = _history_row(registration, CheckInKind.UNDO, staff_id=staff.id, source=CheckInSource.SEARCH,
                           device=device, reason=reason, session_id=session_id)
        record(staff, "checkin.undone", "registration", registration_id, event_id=event.id,
               details={"reason": reason, "session_id": session_id})
        outcome = Outcome(CheckInResult.OK, registration, None, staff.display_name, history_id=row.id)
    return outcome


def sync_offline(event: Event, scans: list[dict], *, staff: StaffUser, device: str = "") -> list[Outcome]:
    """Apply a device's queued offline scans; each in its own transaction, each idempotent by nonce.

    A scan the server would refuse is answered with its reason; a ticket another device admitted
    first is recorded as a conflict (`conflict=True`) for operators to review, never merged away.
    """
    outcomes = []
    for scan in scans:
        kwargs = dict(staff=staff, source=CheckInSource.OFFLINE_SYNC, nonce=scan.get("nonce"),
                      device=scan.get("device") or device, client_at=scan.get("client_at"))
        if scan.get("registration_id") is not None:
            outcomes.append(check_in_registration(event, int(scan["registration_id"]), **kwargs))
        else:
            outcomes.append(check_in_code(event, scan.get("code") or "", **kwargs))
    return outcomes


# --- webinars ---------------------------------------------------------------------------

def record_online_join(registration: Registration) -> str:
    """Record a confirmed online attendee's first join and return the event's meeting URL."""
    event = registration.event
    if (registration.status != RegistrationStatus.CONFIRMED
            or registration.attendance_mode != AttendanceMode.ONLINE or not event.online_url):
        raise Conflict(_("The online link is only for confirmed online attendees."))
    if registration.online_joined_at is None:
        registration_id = registration.id
        with write_transaction():
            now = utcnow()
            # A conditional UPDATE: two tabs opening the link at once record one join.
            changed = db.session.execute(
                sa.update(Registration).where(Registration.id == registration_id,
                                              Registration.online_joined_at.is_(None))
                .values(online_joined_at=now)
            ).rowcount
            if changed:
                registration = db.session.get(Registration, registration_id)
                _history_row(registration, CheckInKind.CHECK_IN, staff_id=None, source=CheckInSource.ONLINE_JOIN,
                             mode=AttendanceMode.ONLINE)
        registration = db.session.get(Registration, registration_id)
    return registration.event.online_url


# --- what the door screen shows ---------------------------------------------------------

def counts(event: Event) -> dict:
    """Checked in / expected, in person and online, plus conflicts waiting for review."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    in_person = Registration.attendance_mode == AttendanceMode.IN_PERSON
    online = Registration.attendance_mode == AttendanceMode.ONLINE

    def n(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(n(confirmed & in_person), n(confirmed & Registration.checked_in_at.is_not(None)),
               n(confirmed & online), n(confirmed & Registration.online_joined_at.is_not(None)),
               n(confirmed & (Registration.source == "walk_in")))
        .where(Registration.event_id == event.id)
    ).one()
    conflicts = db.session.scalar(
        select(sa.func.count()).select_from(CheckIn).where(CheckIn.event_id == event.id, CheckIn.conflict.is_(True)))
    return {
        "in_person": {"checked_in": int(row[1]), "expected": int(row[0])},
        "online": {"joined": int(row[3]), "expected": int(row[2])},
        "walk_ins": int(row[4]),
        "conflicts": int(conflicts or 0),
    }


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def search(event: Event, query: str, *, limit: int = 20) -> list[Registration]:
    """Registrations of this event matching a name, kana (hiragana works too), email or company."""
    query = unicodedata.normalize("NFKC", query or "").strip()
    if len(query) < 1:
        return []
    compact = "".join(query.split())
    kana = _katakana(compact)

    def squeeze(column):
        return sa.func.replace(sa.func.replace(sa.func.lower(column), " ", ""), "\u3000", "")

    like = f"%{compact.lower()}%"
    stmt = (
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id)
        .where(sa.or_(squeeze(Person.name).like(like), squeeze(Person.name_kana).like(f"%{kana.lower()}%"),
                      sa.func.lower(Person.email).like(like), squeeze(Person.company).like(like)))
        .order_by(sa.case((Registration.status == RegistrationStatus.CONFIRMED, 0), else_=1), Person.name_kana,
                  Person.name)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def offline_snapshot(event: Event) -> dict:
    """What a door device caches to decide alone: attendees, their status and ticket-code hashes."""
    registrations = db.session.scalars(
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id).order_by(Person.name_kana)
        .options(sa.orm.contains_eager(Registration.person))
    ).all()
    tickets = db.session.execute(
        select(Ticket.registration_id, Ticket.code_id, Ticket.revoked_at)
        .join(Registration, Ticket.registration_id == Registration.id).where(Registration.event_id == event.id)
    ).all()
    valid: dict[int, list[str]] = {}
    revoked: dict[int, list[str]] = {}
    for registration_id, code_id, revoked_at in tickets:
        target = revoked if revoked_at else valid
        target.setdefault(registration_id, []).append(codes.code_hash(codes.code_for(code_id)))
    staff_names = {u.id: u.display_name for u in db.session.scalars(select(StaffUser))}
    return {
        "generated_at": utcnow().isoformat(),
        "attendees": [
            dict(registration_json(r, staff_names=staff_names), codes=valid.get(r.id, []),
                 revoked_codes=revoked.get(r.id, []))
            for r in registrations
        ],
    }


def registration_json(registration: Registration, *, staff_names: dict | None = None) -> dict:
    """The attendee as the door screen shows them (name, kana, affiliation, company, alumni details)."""
    person = registration.person
    by_id = registration.checked_in_by_id
    by = (staff_names or {}).get(by_id) if staff_names is not None else _staff_name(by_id)
    return {
        "id": registration.id,
        "name": person.name,
        "name_kana": person.name_kana,
        "email": person.email,
        "affiliation": person.affiliation.value,
        "company": person.company,
        "job_title": person.job_title,
        "department": person.department,
        "former_department": person.former_department,
        "joined_year": person.joined_year,
        "left_year": person.left_year,
        "status": registration.status.value,
        "attendance_mode": registration.attendance_mode.value,
        "source": registration.source,
        "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
        "checked_in_by": by,
        "online_joined_at": registration.online_joined_at.isoformat() if registration.online_joined_at else None,
    }


def history(event: Event, *, conflicts_only: bool = False, limit: int = 500) -> list[CheckIn]:
    stmt = select(CheckIn).where(CheckIn.event_id == event.id).order_by(CheckIn.at.desc(), CheckIn.id.desc())
    if conflicts_only:
        stmt = stmt.where(CheckIn.conflict.is_(True))
    return list(db.session.scalars(stmt.limit(limit)))


def registration_history(registration_id: int) -> list[CheckIn]:
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == registration_id).order_by(CheckIn.at, CheckIn.id)))


@dataclass(frozen=True)
class EventRef:
    """An event's identity without loading the row: what deciding a scan needs."""

    id: int
    slug: str


_EVENT_ID = select(Event.id).where(Event.slug == sa.bindparam("slug"))


def event_ref(slug: str) -> EventRef:
    event_id = db.session.connection().execute(_EVENT_ID, {"slug": slug}).scalar()
    if event_id is None:
        raise NotFound(_("No event with that address."))
    return EventRef(event_id, slug)


def event_by_slug(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(_("No event with that address."))
    return event


def walk_in(event: Event, data: dict, *, staff: StaffUser, device: str = "") -> Outcome:
    """Register someone at the door through the registration service, then check them in.

    The registration rules (seats, audience, one registration per person) stay with the
    registration capability; a full event answers `waitlisted` like any other scan would.
    """
    from ..registration.services import register

    result = register(event, data, source="walk_in", actor=staff, language=str(data.get("language") or "ja"))
    if result.registration.status != RegistrationStatus.CONFIRMED:
        return _status_failure(result.registration) or Outcome(CheckInResult.UNKNOWN_CODE)
    return check_in_registration(event, result.registration.id, staff=staff, source=CheckInSource.WALK_IN,
                                 device=device)
