"""Tickets and the append-only check-in history."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..enums import AttendanceMode, CheckInKind, CheckInSource, str_enum
from ..extensions import db
from ..events.models import EventSession
from ..registration.models import Registration


class Ticket(db.Model):
    """One issued ticket code; re-issuing revokes the previous row instead of editing it."""

    __tablename__ = "ticket"
    __table_args__ = (
        sa.Index("uq_ticket_current", "registration_id", unique=True,
                 postgresql_where=sa.text("revoked_at IS NULL"), sqlite_where=sa.text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    # Random identifier carried (signed) in the QR code; never derived from ids.
    code_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(sa.String(200), default="")

    registration: Mapped[Registration] = relationship()


class CheckIn(db.Model):
    """One row per check-in or undo; nothing is ever updated or deleted."""

    __tablename__ = "check_in"
    __table_args__ = (sa.Index("ix_check_in_event_at", "event_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event_session.id", ondelete="CASCADE"))
    kind: Mapped[CheckInKind] = mapped_column(str_enum(CheckInKind, "check_in_kind"))
    mode: Mapped[AttendanceMode] = mapped_column(str_enum(AttendanceMode, "check_in_mode"), default=AttendanceMode.IN_PERSON)
    source: Mapped[CheckInSource] = mapped_column(str_enum(CheckInSource, "check_in_source"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the device decided it (offline scans are synced later).
    client_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    device: Mapped[str] = mapped_column(sa.String(100), default="")
    # A client nonce makes retries and offline replays idempotent.
    nonce: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    # Set when two devices admitted the same ticket while offline, or when a device admitted
    # someone offline whom the server then refused: shown to operators until reviewed.
    conflict: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # For an offline admission the server refused at sync: the result it gave (`revoked`,
    # `cancelled`, ...). The person was let in at the door, yet is not checked in.
    refused_as: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")

    registration: Mapped[Registration] = relationship()
    session: Mapped[EventSession | None] = relationship()
    review: Mapped[CheckInReview | None] = relationship(back_populates="check_in", uselist=False)


class CheckInReview(db.Model):
    """An operator's review of a conflict: the history row itself is never changed."""

    __tablename__ = "check_in_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(sa.ForeignKey("check_in.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    check_in: Mapped[CheckIn] = relationship(back_populates="review")
