"""Helpers for the tests of switching between in person and online: registering through the real
service, the event's counters and what got queued or audited."""
from __future__ import annotations

from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.events.models import Event
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration import services
from events_app.registration.models import Registration

JOIN_URL = "https://meet.example.com/j/alumni-evening"


def hybrid_fields(**fields) -> dict:
    """make_event fields for a published hybrid event with a join URL."""
    return {"kind": "hybrid", "online_url": JOIN_URL, "capacity": 1, "online_capacity": 3, **fields}


def register(event, n: int, attendance: str = "in_person", *, language: str = "ja", **extra) -> tuple[int, str]:
    """Register person `n` through the service; returns (registration id, link token)."""
    data = {"name": f"参加者 {n}", "name_kana": "サンカシャ", "email": f"switch{n}@example.jp",
            "affiliation": "alumni", "company": "株式会社ミライ", "attendance": attendance, "consent": True}
    data.update(extra)
    result = services.register(db.session.get(Event, event.id), data, language=language)
    return result.registration_id, result.token


def reload(registration_id: int) -> Registration:
    db.session.rollback()  # end any read snapshot and forget cached rows
    return db.session.get(Registration, registration_id)


def counters(event_id: int) -> tuple[int, int]:
    """(seats_taken, online_seats_taken) as stored now."""
    db.session.rollback()
    event = db.session.get(Event, event_id)
    return event.seats_taken, event.online_seats_taken


def holders(event_id: int, mode: str) -> int:
    """Registrations holding a seat of `mode`: must always equal the counter."""
    return len(db.session.scalars(select(Registration.id).where(
        Registration.event_id == event_id, Registration.holds_seat.is_(True),
        Registration.attendance_mode == mode)).all())


def mails(template: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def switch_audits() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.switch_attendance")
                                   .order_by(AuditEntry.id)))
