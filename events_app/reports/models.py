"""Feedback after the event, operators' notes, and background export jobs."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..enums import JobStatus, str_enum
from ..extensions import db
from ..registration.models import Registration


class SurveyResponse(db.Model):
    __tablename__ = "survey_response"
    __table_args__ = (sa.CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 10)", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column(sa.Integer)
    most_useful: Mapped[str] = mapped_column(sa.Text, default="")
    comments: Mapped[str] = mapped_column(sa.Text, default="")
    introduction_requests: Mapped[str] = mapped_column(sa.Text, default="")
    would_host: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()


class EventNote(db.Model):
    """An operator's note or highlight about an event, for the summary report."""

    __tablename__ = "event_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    highlight: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportJob(db.Model):
    """A long export (PDF summary, large list) made by the worker, not by a web request."""

    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # summary_pdf | attendance_csv | attendance_xlsx | attendance_pdf
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "export_job_status"), default=JobStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(sa.Integer, default=0)  # percent
    file_path: Mapped[str] = mapped_column(sa.String(500), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="SET NULL"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
