"""Registrations: one person at one event, their session choices and their answers."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..enums import AttendanceMode, MessageCancelReason, MessageStatus, RegistrationStatus, str_enum
from ..extensions import db
from ..events.models import Event, EventSession, Question
from ..people.models import Person

_ACTIVE = "status IN ('pending', 'confirmed', 'waitlisted')"


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # One active registration per person per event, enforced by the database.
        sa.Index(
            "uq_registration_active_person", "event_id", "person_id", unique=True,
            postgresql_where=sa.text(_ACTIVE), sqlite_where=sa.text(_ACTIVE),
        ),
        sa.Index("ix_registration_event_status", "event_id", "status"),
        sa.UniqueConstraint("event_id", "idempotency_key", name="uq_registration_idempotency"),
        sa.CheckConstraint("calendar_sequence >= 0", name="calendar_sequence_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "registration_status"))
    attendance_mode: Mapped[AttendanceMode] = mapped_column(
        str_enum(AttendanceMode, "attendance_mode"), default=AttendanceMode.IN_PERSON
    )
    # Whether a seat counter was incremented for this registration (so freeing is exact).
    holds_seat: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    waitlist_rank: Mapped[int | None] = mapped_column(sa.Integer)
    # The private link token is HMAC(SECRET_KEY, manage_nonce): it can be mailed again when
    # lost, yet the database alone does not reveal it. Lookups go through its SHA-256.
    manage_nonce: Mapped[str] = mapped_column(sa.String(64))
    manage_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # A per-form nonce so a double click or a retried submit never creates a second row.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(16), default="web")  # web | api | walk_in | operator
    language: Mapped[str] = mapped_column(sa.String(8), default="ja")
    decision_message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Calendar: UID is fixed at creation; SEQUENCE only ever grows.
    calendar_uid: Mapped[str] = mapped_column(sa.String(200), unique=True)
    calendar_sequence: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    invite_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Cached attendance, explained by the check-in history (tickets.CheckIn).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    online_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    session_choices: Mapped[list[RegistrationSession]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    answers: Mapped[list[Answer]] = relationship(back_populates="registration", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


class RegistrationSession(db.Model):
    """A registration's choice of a breakout session; it may wait for a seat at that table."""

    __tablename__ = "registration_session"

    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("event_session.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_session_status"), default=RegistrationStatus.CONFIRMED
    )
    holds_seat: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    waitlist_rank: Mapped[int | None] = mapped_column(sa.Integer)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="session_choices")
    session: Mapped[EventSession] = relationship()


class Answer(db.Model):
    """An answer to a custom question, frozen as given at registration time."""

    __tablename__ = "answer"

    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True)
    # str for text / single choice, list[str] for multiple choice, bool for yes/no.
    value: Mapped[object] = mapped_column(sa.JSON)

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


# Largest subject and body an operator may send (the columns and the form say the same).
MESSAGE_SUBJECT_MAX = 200
MESSAGE_BODY_MAX = 10_000


class RegistrantMessage(db.Model):
    """A message operators sent to an event's registrants: the text, who sent it, to whom.

    Each recipient's mail is an outbox row (template `registrant_message`) whose payload names this
    row, so the text is stored once however many people receive it.
    """

    __tablename__ = "registrant_message"
    __table_args__ = (
        # The compose form's nonce: a double click or a retried POST finds the first message.
        sa.UniqueConstraint("event_id", "idempotency_key", name="uq_registrant_message_idempotency"),
        # A scheduled or cancelled message has reached no one (recipients are chosen at its send time).
        sa.CheckConstraint("recipient_count > 0 OR status <> 'sent'", name="has_recipients"),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_at_when_sent"),
        sa.CheckConstraint("status <> 'scheduled' OR send_at IS NOT NULL", name="scheduled_has_send_at"),
        sa.CheckConstraint("(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancelled_has_reason"),
        # The sender's "what is due" query.
        sa.Index("ix_registrant_message_status_send_at", "status", "send_at"),
        sa.CheckConstraint("length(subject) > 0 AND length(body) > 0", name="has_text"),
        # An English version is whole or absent: English readers never get an English subject over nothing.
        sa.CheckConstraint("(subject_en = '') = (body_en = '')", name="english_text_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (event_id, idempotency_key) serves the history's lookup by event.
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    # The sender's email as it was, kept if the staff account is deleted later.
    sent_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    # When its mails were queued: None while it is scheduled, or if it was cancelled.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(sa.String(MESSAGE_SUBJECT_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    subject_en: Mapped[str] = mapped_column(sa.String(MESSAGE_SUBJECT_MAX), default="")
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    # The recipient filters as chosen: statuses, attendance, affiliation, session_id, attended.
    filters: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    recipient_count: Mapped[int] = mapped_column(sa.Integer)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus, "registrant_message_status"),
                                                  default=MessageStatus.SENT)
    # The time an operator chose (a scheduled message); None for one sent at once.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[MessageCancelReason | None] = mapped_column(
        str_enum(MessageCancelReason, "registrant_message_cancel_reason"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    def text_for(self, language: str) -> tuple[str, str]:
        """(subject, body) an attendee reading `language` receives: English when there is one."""
        if language == "en" and self.subject_en:
            return self.subject_en, self.body_en
        return self.subject, self.body
