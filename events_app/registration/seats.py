"""Seat counters: every change is one conditional UPDATE whose row count decides.

Never read-then-write: `seats_taken < capacity` is checked by the database in the same
statement that increments, so two requests for the last seat cannot both win (PostgreSQL
re-evaluates the WHERE on the newest row version after waiting for the row lock; SQLite runs
writers one at a time under BEGIN IMMEDIATE). CHECK constraints back this up.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..driver_statements import DriverStatement
from ..enums import AttendanceMode
from ..events.models import Event, EventSession
from ..extensions import db

_event = Event.__table__
_session = EventSession.__table__


def _take_statement(counter, capacity) -> DriverStatement:
    return DriverStatement(
        sa.update(_event)
        .where(_event.c.id == sa.bindparam("b_event_id"), sa.or_(capacity.is_(None), counter < capacity))
        .values({counter: counter + 1}))


# Built once, run through the driver (the registration hot path binds only the event id).
_TAKE_SEAT = {
    AttendanceMode.IN_PERSON: _take_statement(_event.c.seats_taken, _event.c.capacity),
    AttendanceMode.ONLINE: _take_statement(_event.c.online_seats_taken, _event.c.online_capacity),
}


def take_event_seat(event_id: int, mode: AttendanceMode, *, connection=None) -> bool:
    """Take one in-person or online seat if one is free; True when taken."""
    statement = _TAKE_SEAT[AttendanceMode.ONLINE if mode == AttendanceMode.ONLINE else AttendanceMode.IN_PERSON]
    connection = connection if connection is not None else db.session.connection()
    return statement.execute(connection, {"b_event_id": event_id}).rowcount == 1


def release_event_seat(event_id: int, mode: AttendanceMode) -> None:
    counter = _event.c.online_seats_taken if mode == AttendanceMode.ONLINE else _event.c.seats_taken
    db.session.execute(sa.update(_event).where(_event.c.id == event_id, counter > 0).values({counter: counter - 1}))


def take_session_seat(session_id: int) -> bool:
    result = db.session.execute(
        sa.update(_session)
        .where(_session.c.id == session_id,
               sa.or_(_session.c.capacity.is_(None), _session.c.seats_taken < _session.c.capacity))
        .values(seats_taken=_session.c.seats_taken + 1)
    )
    return result.rowcount == 1


def release_session_seat(session_id: int) -> None:
    db.session.execute(
        sa.update(_session).where(_session.c.id == session_id, _session.c.seats_taken > 0)
        .values(seats_taken=_session.c.seats_taken - 1)
    )
