"""Tickets and check-in: one service decides every admission, whatever asked for it.

The scanner page, the JSON API, manual search, offline sync and the ticket page's button all end
in `_admit`, which decides with one conditional UPDATE (`... WHERE checked_in_at IS NULL AND
status = 'confirmed'`) and writes the append-only history row in the same transaction; breakout
sessions and undo re-read the row under a lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers) and re-check. Two staff scanning one ticket at the same
moment therefore get one `ok` and one `already_checked_in`.

This module keeps the decision (and the entry points that end in it: scans, search, offline sync;
walk-ins, in `walk_ins`, end in it too); its prebuilt statements are in `statements`. Undo and
the review of conflicts (`amendments`), answering a nonce seen before (`replays`), issuing
tickets (`issuing`), the webinar's tracked join link (`online_join`), the read models
(`queries`), the offline snapshot (`offline`) and the result codes (`outcomes`) live beside it and
are re-exported here: callers keep using `tickets.services.X`. Admissions are written in
`write_transaction()` like every other write: queued with the other SQLite writers; on PostgreSQL
the scan's reads ran in autocommit and the admission is one statement (UPDATE and history INSERT
joined in a CTE), a transaction by itself.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.models import StaffUser
from ..database import utcnow, write_transaction
from ..enums import CheckInKind, CheckInSource, RegistrationStatus
from ..errors import Conflict, NotFound
from ..events.models import Event, EventSession
from ..extensions import db
from ..registration.models import Registration, RegistrationSession
from . import codes
from .models import CheckIn
from .outcomes import _STATUS_RESULT, CheckInResult, Outcome, _status_failure, too_early
from .queries import registration_json
from .statements import ADMIT, ADMIT_AND_RECORD, BY_CODE, BY_ID, HISTORY
from .replays import check_nonce, earlier_answer
from .row_helpers import _history_row, _locked_registration, _staff_name

# Re-exported: views, api, cli, tests and other capabilities call `tickets.services.X`.
from .issuing import current_ticket, reissue_ticket, ticket_code  # noqa: F401
from .offline import offline_snapshot  # noqa: F401
from .amendments import review_conflict, undo_check_in  # noqa: F401
from .online_join import JOIN_COUNTS_FROM_BEFORE_START, join_counts_as_attendance, record_online_join  # noqa: F401
from .outcomes import result_message  # noqa: F401
from .queries import (  # noqa: F401
    EventRef, check_in_changes, conflicts_to_review, counts, door_events, event_by_slug, event_ref, history,
    registration_history, search, table_state,
)

# An offline scan's device time is believed from this long before the event's start (or before the
# sync, if that is earlier): doors open early, a queue may sync the next morning. A device clock
# reading earlier than that is wrong, and the admission is dated when the server received it; the
# history keeps the device's reading.
OFFLINE_CLOCK_SLACK = timedelta(days=1)


# --- deciding a check-in ----------------------------------------------------------------

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


NOT_LOOKED_UP = object()  # `row` not given: the check-in looks the code up itself


def ticket_row(text: str):
    """The row a scanned code stands for (ticket, registration, person, event slug), or None for a
    forged, mistyped or unknown code: the HMAC is checked before any lookup."""
    code_id = codes.verify(text)
    if code_id is None:
        return None
    return BY_CODE.execute(db.session.connection(), {"code_id": code_id}).first()


def _resolve_code(event: Event, text: str, row=NOT_LOOKED_UP):
    if row is NOT_LOOKED_UP:
        row = ticket_row(text)
    if row is None:
        return Outcome(CheckInResult.UNKNOWN_CODE), None
    return _judge_row(event, row), row


def _resolve_registration(event: Event, registration_id: int):
    row = BY_ID.execute(db.session.connection(), {"rid": registration_id}).first()
    if row is None:
        raise NotFound(_("No such registration."))
    return _judge_row(event, row), row


def check_in_code(event: Event, text: str, *, staff: StaffUser | None, source: CheckInSource = CheckInSource.SCAN,
                  nonce: str | None = None, device: str = "", client_at: datetime | None = None,
                  session_id: int | None = None, row=NOT_LOOKED_UP) -> Outcome:
    """Check in whoever holds this code: a full ticket URL or the bare code, as scanned.

    `row` is `ticket_row(text)` when the caller has read it already (to find the event)."""
    return _check_in(event, lambda e, t: _resolve_code(e, t, row), text, staff=staff, source=source, nonce=nonce,
                     device=device, client_at=client_at, session_id=session_id)


def check_in_registration(event: Event, registration_id: int, *, staff: StaffUser | None,
                          source: CheckInSource = CheckInSource.SEARCH, nonce: str | None = None,
                          device: str = "", client_at: datetime | None = None,
                          session_id: int | None = None) -> Outcome:
    """Check in a registration picked by id (manual search, walk-in, offline search)."""
    return _check_in(event, _resolve_registration, registration_id, staff=staff, source=source, nonce=nonce,
                     device=device, client_at=client_at, session_id=session_id)


def _check_in(event: Event, resolve, key, *, staff, source: CheckInSource, nonce: str | None, device: str,
              client_at: datetime | None, session_id: int | None) -> Outcome:
    """Both entry points: a nonce seen before replays its answer; else resolve the code or id and admit."""
    if event.is_cancelled:
        # Registrations keep their status when the event is called off; nobody is let in.
        raise Conflict(_("The event was cancelled: its door admits no one."))
    nonce = check_nonce(nonce)
    failure, row = resolve(event, key)
    earlier = earlier_answer(nonce, event_id=event.id, registration_id=row.id if row is not None else None,
                             session_id=session_id)
    if earlier is not None:
        return earlier
    if failure is None and event.checkin_opens_minutes is not None and (row.checked_in_at is None or session_id):
        # Someone already inside (the window moved after they came) is answered as such below.
        # An offline admission is judged by when it happened, as `_admit` will date it.
        at = _offline_admitted_at(event, client_at, utcnow()) if source == CheckInSource.OFFLINE_SYNC else None
        if (failure := too_early(event, at=at)) is not None:
            failure.registration_data = _row_json(row)
    if failure is not None:
        if source == CheckInSource.OFFLINE_SYNC and row is not None and row.event_id == event.id:
            return _record_refused_offline(event, row, failure, staff=staff, nonce=nonce, device=device,
                                           client_at=client_at, session_id=session_id)
        return failure
    return _admit(event, row, staff=staff, source=source, nonce=nonce, device=device,
                  client_at=client_at, session_id=session_id)


def _record_refused_offline(event: Event, row, failure: Outcome, *, staff, nonce, device, client_at,
                            session_id) -> Outcome:
    """A device admitted someone offline whom the server refuses (ticket replaced, registration
    cancelled meanwhile): the person is inside, yet not checked in. Keep it in the history as a
    conflict for operators to review, and answer the refusal, so the device can say so too."""
    try:
        with write_transaction():
            registration = db.session.get(Registration, row.id)
            written = _history_row(registration, CheckInKind.CHECK_IN, staff_id=staff.id if staff else None,
                                   source=CheckInSource.OFFLINE_SYNC, nonce=nonce, device=device, client_at=client_at,
                                   conflict=True, session_id=session_id)
            written.refused_as = failure.result.value
            failure.history_id, failure.conflict = written.id, True
    except IntegrityError:  # the same nonce raced in from a concurrent retry; its first answer stands
        db.session.rollback()
        if (earlier := earlier_answer(nonce, event_id=event.id, registration_id=row.id,
                                      session_id=session_id)) is not None:
            return earlier
        raise
    return failure


def _offline_admitted_at(event: Event, client_at: datetime | None, now: datetime) -> datetime:
    """When an offline scan let the person in: the device's time, never in the future, and not
    believed more than OFFLINE_CLOCK_SLACK before the start or the sync (a device with a wrong clock)."""
    if client_at is None:
        return now
    starts_at = getattr(event, "starts_at", None) or now
    if client_at < min(starts_at, now) - OFFLINE_CLOCK_SLACK:
        return now
    return min(client_at, now)


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
    # An offline scan happened when the device says (within reason); others happen now.
    admitted_at = _offline_admitted_at(event, client_at, now) if source == CheckInSource.OFFLINE_SYNC else now
    try:
        with write_transaction() as session:
            connection = session.connection()
            admission = {"rid": registration_id, "at": admitted_at, "by": staff_id, "now": now}
            if connection.dialect.name == "postgresql":
                history_id = ADMIT_AND_RECORD.execute(connection, {
                    **admission, "h_source": source.value, "h_client_at": client_at,
                    "h_device": (device or "")[:100], "h_nonce": nonce}).scalar()
                changed = history_id is not None
            else:
                changed = ADMIT.execute(connection, admission).rowcount
                if changed:
                    history_id = _insert_history(connection, registration_id, event_id, staff_id=staff_id,
                                                 source=source, nonce=nonce, device=device, client_at=client_at,
                                                 at=now)
            if changed:
                shown.update(checked_in_at=admitted_at.isoformat(), checked_in_by=staff_name)
                return Outcome(CheckInResult.OK, None, admitted_at, staff_name, history_id=history_id,
                               registration_data=shown)
            # Someone else changed the row first: say what it is now.
            current = BY_ID.execute(connection, {"rid": registration_id}).first()
            if (earlier := earlier_answer(nonce, event_id=event_id, registration_id=registration_id,
                                          session_id=None)) is not None:
                return earlier
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
        if (earlier := earlier_answer(nonce, event_id=event_id, registration_id=registration_id,
                                      session_id=None)) is not None:
            return earlier
        raise


def _insert_history(connection, registration_id: int, event_id: int, *, staff_id, source, nonce, device,
                    client_at, at, conflict: bool = False) -> int:
    return HISTORY.execute(connection, {
        "registration_id": registration_id, "event_id": event_id, "source": source.value, "at": at,
        "client_at": client_at, "staff_id": staff_id, "device": (device or "")[:100], "nonce": nonce,
        "conflict": conflict}).scalar()


def _admit_to_session_locked(event, registration_id, session_id, *, staff_id, source, nonce, device,
                             client_at) -> Outcome:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event.id:
        raise NotFound(_("No such session at this event."))
    try:
        with write_transaction():
            registration = _locked_registration(registration_id)
            if (earlier := earlier_answer(nonce, event_id=event.id, registration_id=registration_id,
                                          session_id=session_id)) is not None:
                return earlier
            if (failure := _status_failure(registration)) is not None:
                return failure
            outcome = _admit_to_session(registration, session, staff_id=staff_id, source=source, nonce=nonce,
                                        device=device, client_at=client_at, at=utcnow())
            outcome.registration_data = registration_json(registration)
            return outcome
    except IntegrityError:
        if (earlier := earlier_answer(nonce, event_id=event.id, registration_id=registration_id,
                                      session_id=session_id)) is not None:
            return earlier
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
        by = db.session.scalar(
            select(CheckIn.staff_id).where(CheckIn.registration_id == registration.id, CheckIn.session_id == session.id,
                                           CheckIn.kind == CheckInKind.CHECK_IN, CheckIn.refused_as.is_(None))
            .order_by(CheckIn.at.desc(), CheckIn.id.desc()).limit(1))
        return Outcome(CheckInResult.ALREADY_CHECKED_IN, registration, choice.checked_in_at, _staff_name(by),
                       session=session)
    choice.checked_in_at = at
    row = _history_row(registration, CheckInKind.CHECK_IN, staff_id=staff_id, source=source, nonce=nonce,
                       device=device, client_at=client_at, session_id=session.id)
    return Outcome(CheckInResult.OK, registration, at, _staff_name(staff_id), history_id=row.id, session=session)


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
