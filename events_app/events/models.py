"""Events, their timetable and breakout sessions, hosts and custom questions."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..enums import EventKind, EventStatus, QuestionKind, SessionKind, Visibility, str_enum
from ..extensions import db


# Also in migration 0004: change both together.
WEBINAR_HAS_NO_VENUE = (
    "kind <> 'webinar' OR (venue_name = '' AND venue_address = '' AND venue_map_url = '' "
    "AND venue_latitude IS NULL AND venue_longitude IS NULL AND capacity IS NULL)"
)

# The longest check-in window: a week before the start. Also in migration 0010.
MAX_CHECKIN_OPENS_MINUTES = 7 * 24 * 60
CHECKIN_OPENS_WITHIN_A_WEEK = (
    "checkin_opens_minutes IS NULL OR "
    f"(checkin_opens_minutes >= 0 AND checkin_opens_minutes <= {MAX_CHECKIN_OPENS_MINUTES})"
)


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        sa.CheckConstraint("online_capacity IS NULL OR online_capacity >= 0", name="online_capacity_non_negative"),
        # The database is the last line against overbooking: the seat counters never pass capacity.
        sa.CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats_within_capacity"),
        sa.CheckConstraint(
            "online_seats_taken >= 0 AND (online_capacity IS NULL OR online_seats_taken <= online_capacity)",
            name="online_seats_within_capacity",
        ),
        # A webinar is online only (events.services refuses these fields on one with field errors).
        sa.CheckConstraint(WEBINAR_HAS_NO_VENUE, name="webinar_has_no_venue"),
        # Also in migration 0010.
        sa.CheckConstraint(CHECKIN_OPENS_WITHIN_A_WEEK, name="checkin_opens_within_a_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, "event_visibility"), default=Visibility.LISTED)

    # Content in the event's own language, with an optional translation into the other one.
    language: Mapped[str] = mapped_column(sa.String(8), default="ja")
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    title_translation: Mapped[str] = mapped_column(sa.String(200), default="")
    description_translation: Mapped[str] = mapped_column(sa.Text, default="")

    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Tokyo")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    venue_name: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_address: Mapped[str] = mapped_column(sa.String(400), default="")
    venue_map_url: Mapped[str] = mapped_column(sa.String(1000), default="")
    venue_latitude: Mapped[float | None] = mapped_column(sa.Float)
    venue_longitude: Mapped[float | None] = mapped_column(sa.Float)
    # Never shown publicly: only in a confirmed online attendee's own pages, mail and invite.
    online_url: Mapped[str] = mapped_column(sa.String(1000), default="")

    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    seats_taken: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    online_capacity: Mapped[int | None] = mapped_column(sa.Integer)
    online_seats_taken: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience_alumni: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    audience_employees: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    audience_guests: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Attendees must choose a breakout table (a full one counts: they join its waitlist); staff
    # entering someone at the door or by hand are not held to it.
    session_choice_required: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    # Reminder schedule: the day before (local 9:00 is not assumed; hours before start), and
    # minutes before the start for online attendees with their join link. None = off.
    reminder_hours_before: Mapped[int | None] = mapped_column(sa.Integer, default=24)
    online_reminder_minutes_before: Mapped[int | None] = mapped_column(sa.Integer, default=15)
    survey_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    survey_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The door admits from this many minutes before the start; None = any time (the default:
    # outside systems check tickets in as soon as they create the event).
    checkin_opens_minutes: Mapped[int | None] = mapped_column(sa.Integer)

    # Bumped whenever what a calendar shows changes, for the public per-event .ics.
    calendar_sequence: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    cancellation_reason: Mapped[str] = mapped_column(sa.Text, default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="(EventSession.starts_at, EventSession.position, EventSession.id)"
    )
    hosts: Mapped[list[Host]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="(Host.position, Host.id)"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="(Question.position, Question.id)"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.tz)

    @property
    def checkin_opens_at(self) -> datetime | None:
        return checkin_opens_at(self.starts_at, self.checkin_opens_minutes)

    @property
    def has_in_person(self) -> bool:
        return self.kind != EventKind.WEBINAR

    @property
    def has_online(self) -> bool:
        return self.kind in (EventKind.WEBINAR, EventKind.HYBRID)

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    @property
    def online_seats_left(self) -> int | None:
        return None if self.online_capacity is None else max(self.online_capacity - self.online_seats_taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_over(self) -> bool:
        return self.status == EventStatus.COMPLETED or self.ends_at <= utcnow()

    @property
    def audience(self) -> list[str]:
        out = []
        if self.audience_alumni:
            out.append("alumni")
        if self.audience_employees:
            out.append("employee")
        if self.audience_guests:
            out.append("guest")
        return out

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


def checkin_opens_at(starts_at: datetime, opens_minutes: int | None) -> datetime | None:
    """When the door starts admitting, or None when it admits at any time."""
    return None if opens_minutes is None else starts_at - timedelta(minutes=opens_minutes)


class Host(db.Model):
    """A host or speaker, with the short "where they are now" profile alumni stories are made of.

    The title and profile can be given in the event's other language too; company and department
    names are proper nouns and stay as written."""

    __tablename__ = "host"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(sa.String(20), default="host")  # host | speaker | moderator
    name: Mapped[str] = mapped_column(sa.String(200))
    name_kana: Mapped[str] = mapped_column(sa.String(200), default="")
    current_company: Mapped[str] = mapped_column(sa.String(200), default="")
    current_title: Mapped[str] = mapped_column(sa.String(200), default="")
    current_title_translation: Mapped[str] = mapped_column(sa.String(200), default="")
    former_department: Mapped[str] = mapped_column(sa.String(200), default="")
    joined_year: Mapped[int | None] = mapped_column(sa.Integer)
    left_year: Mapped[int | None] = mapped_column(sa.Integer)
    profile: Mapped[str] = mapped_column(sa.Text, default="")
    profile_translation: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="hosts")


class EventSession(db.Model):
    """A timetable item or a breakout table with its own capacity."""

    __tablename__ = "event_session"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        sa.CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), default=SessionKind.BREAKOUT)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_translation: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    host_id: Mapped[int | None] = mapped_column(sa.ForeignKey("host.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(1000), default="")
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    seats_taken: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="sessions")
    host: Mapped[Host | None] = relationship()

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)

    def overlaps(self, other: EventSession) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class Question(db.Model):
    """A custom registration question an operator adds to an event."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(sa.String(300))
    label_translation: Mapped[str] = mapped_column(sa.String(300), default="")
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The choices in the other language, in the same order (shown, never stored as an answer).
    choices_translation: Mapped[list] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="questions")
