"""A Person is one human across events: the history an alumni programme is worth."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..enums import Affiliation, str_enum
from ..extensions import db


class Person(db.Model):
    __tablename__ = "person"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("joined_year IS NULL OR (joined_year BETWEEN 1900 AND 2100)", name="joined_year_range"),
        sa.CheckConstraint("left_year IS NULL OR (left_year BETWEEN 1900 AND 2100)", name="left_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_kana: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    affiliation: Mapped[Affiliation] = mapped_column(str_enum(Affiliation, "person_affiliation"))
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    department: Mapped[str] = mapped_column(sa.String(200), default="")
    former_department: Mapped[str] = mapped_column(sa.String(200), default="")
    joined_year: Mapped[int | None] = mapped_column(sa.Integer)
    left_year: Mapped[int | None] = mapped_column(sa.Integer)
    language: Mapped[str] = mapped_column(sa.String(8), default="ja")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Person {self.email}>"
