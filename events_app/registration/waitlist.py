"""The waitlists: a registration's place in its event's or session's waitlist (and the rank
statements behind it), promotion from the waitlists when seats are free, and moving a registration
within its waitlist by hand.

`promote_waitlist` joins the caller's transaction so a seat is refilled in the same commit that
frees it (cancellation, rejection, capacity raised by the events capability).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import func, select

from ..database import is_sqlite, write_transaction
from ..enums import AttendanceMode, RegistrationStatus
from ..events.models import EventSession
from ..extensions import db
from ..templating import in_language
from . import seats
from .lifecycle import _audit, _confirm, _load_active, _mail, _retrying
from .models import Registration, RegistrationSession

_registration = Registration.__table__
MAX_PROMOTIONS_PER_CALL = 10_000


def waitlist_position(registration: Registration) -> int | None:
    """1-based place in the event's waitlist for the same attendance mode."""
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlist_rank is None:
        return None
    return _waitlist_position(registration.event_id, registration.attendance_mode, registration.waitlist_rank,
                              registration.id)


def waitlist_positions(event_id: int) -> dict[int, int]:
    """Every waitlisted registration's 1-based place (per attendance mode) in one query."""
    rows = db.session.execute(
        select(_registration.c.id, _registration.c.attendance_mode)
        .where(_registration.c.event_id == event_id, _registration.c.status == RegistrationStatus.WAITLISTED,
               _registration.c.waitlist_rank.is_not(None))
        .order_by(_registration.c.waitlist_rank, _registration.c.id))
    positions: dict[int, int] = {}
    seen_per_mode: dict[str, int] = {}
    for registration_id, mode in rows:
        seen_per_mode[mode] = seen_per_mode.get(mode, 0) + 1
        positions[registration_id] = seen_per_mode[mode]
    return positions


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


def give_back_event_seat(event_id: int, mode: AttendanceMode) -> list[Registration]:
    """Free one in-person or online seat and refill it from the waitlist, in the caller's
    transaction: what a cancellation does with its seat, and a switch of attendance mode with
    the seat it leaves. Returns the registrations promoted (each is mailed)."""
    seats.release_event_seat(event_id, mode)
    db.session.flush()
    return promote_waitlist(event_id)


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
        # The mail is rendered later, in the registrant's language: keep the title they read
        # (session_title, the original, stays for older readers of the payload).
        session = choice.session
        _mail(choice.registration, "registration_promoted",
              payload={"session_id": session_id, "session_title": session.title,
                       "session_display_title": in_language(choice.registration.language or "ja", session.title,
                                                            session.title_translation, session.event.language)})
        promoted.append(choice)
    return promoted


def move_in_waitlist(registration: Registration, *, actor, to_position: int) -> int:
    """Put a waitlisted registration at a 1-based position of its waitlist (others keep their order).

    Returns the position it ends at: a position past the end means the last place.
    """

    def run() -> int:
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
        return target

    return _retrying(run)
