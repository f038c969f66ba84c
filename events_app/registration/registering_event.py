"""What registering reads of an event, in one statement through the driver instead of an ORM load.

The JSON registration endpoint loaded the whole `Event` (40 columns, its questions joined) through
the ORM on every request: a fifth of a registration's CPU in process (py-spy, bench/registration_rush.py),
most of it the ORM's loading machinery rather than the columns. `RegisteringEvent` carries the
columns the open check and the validation read, and loads the event's questions and sessions (ORM
objects, as validation expects) only when the event has them or when they are asked for, so an
event without custom questions costs one driver statement. `register()` and `clean_registration()`
take it wherever they take an `Event`.
"""
from __future__ import annotations

from datetime import datetime
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy import select

from ..driver_statements import DriverStatement
from ..enums import EventKind, EventStatus
from ..events.models import Event, EventSession, Question
from ..extensions import db

_COLUMNS = (Event.id, Event.slug, Event.kind, Event.status, Event.timezone, Event.starts_at, Event.ends_at,
            Event.registration_opens_at, Event.registration_closes_at, Event.audience_alumni,
            Event.audience_employees, Event.audience_guests, Event.requires_approval,
            Event.session_choice_required)
_BY_SLUG = DriverStatement(
    select(*_COLUMNS, sa.exists().where(Question.event_id == Event.id).label("has_questions"))
    .where(Event.slug == sa.bindparam("slug")))


class RegisteringEvent:
    """An event as registering sees it (read-only)."""

    audience = Event.audience  # the same rule, reading the same three flags

    def __init__(self, row) -> None:
        self.id: int = row.id
        self.slug: str = row.slug
        self.kind: EventKind = row.kind
        self.status: EventStatus = row.status
        self.timezone: str = row.timezone
        self.starts_at: datetime = row.starts_at
        self.ends_at: datetime = row.ends_at
        self.registration_opens_at: datetime | None = row.registration_opens_at
        self.registration_closes_at: datetime | None = row.registration_closes_at
        self.audience_alumni: bool = row.audience_alumni
        self.audience_employees: bool = row.audience_employees
        self.audience_guests: bool = row.audience_guests
        self.requires_approval: bool = row.requires_approval
        self.session_choice_required: bool = row.session_choice_required
        self._has_questions: bool = bool(row.has_questions)

    @cached_property
    def questions(self) -> list[Question]:
        if not self._has_questions:
            return []
        return list(db.session.scalars(select(Question).where(Question.event_id == self.id)
                                       .order_by(Question.position, Question.id)))

    @cached_property
    def sessions(self) -> list[EventSession]:
        return list(db.session.scalars(select(EventSession).where(EventSession.event_id == self.id)
                                       .order_by(EventSession.starts_at, EventSession.position, EventSession.id)))

    def __repr__(self) -> str:
        return f"<RegisteringEvent {self.slug}>"


def registering_event(slug: str) -> RegisteringEvent | None:
    row = _BY_SLUG.execute(db.session.connection(), {"slug": slug}).first()
    return RegisteringEvent(row) if row is not None else None
