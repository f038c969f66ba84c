"""Reminders through the outbox: the day before, and the join link shortly before an online start.

Each reminder has a dedupe_key (unique in the outbox), so running `send-reminders` from cron
every few minutes, or on two hosts at once, never queues one twice. The key holds the event's
start, so an event moved after its reminders went out reminds again for the new start.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import utcnow, write_transaction
from ..enums import AttendanceMode, EventStatus, OutboxStatus, RegistrationStatus
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..people.models import Person
from .models import Registration

# The longest schedule an operator can set is a week; events further away are not looked at.
HORIZON = timedelta(days=8)


def _queue(registration: Registration, email: str, template: str, key: str) -> bool:
    now = utcnow()
    values = dict(to_address=email, template=template, language=registration.language, payload={},
                  registration_id=registration.id, event_id=registration.event_id, dedupe_key=key,
                  status=OutboxStatus.QUEUED.value, attempts=0, next_attempt_at=now, last_error="",
                  message_id="", subject="", created_at=now)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = OutboxMessage.__table__
    inserted = db.session.execute(insert(table).values(**values)
                                  .on_conflict_do_nothing(index_elements=["dedupe_key"])
                                  .returning(table.c.id)).scalar()
    return inserted is not None


def reminder_key(kind: str, registration: Registration, event: Event) -> str:
    """One reminder of `kind` per registration and start time (UTC)."""
    return f"reminder-{kind}:{registration.id}:{event.starts_at:%Y%m%dT%H%MZ}"


def queue_due_reminders(now=None) -> dict[str, int]:
    """Queue every reminder that is due now and not yet queued; returns counts per kind."""
    now = now or utcnow()
    counts = {"day_before": 0, "online": 0}
    with write_transaction():
        events = db.session.scalars(select(Event).where(
            Event.status == EventStatus.PUBLISHED, Event.starts_at > now, Event.starts_at <= now + HORIZON))
        for event in events:
            day_due = event.reminder_hours_before is not None and event.starts_at - timedelta(hours=event.reminder_hours_before) <= now
            online_due = (event.online_reminder_minutes_before is not None and event.has_online
                          and event.starts_at - timedelta(minutes=event.online_reminder_minutes_before) <= now)
            if not (day_due or online_due):
                continue
            rows = db.session.execute(
                select(Registration, Person.email).join(Person, Person.id == Registration.person_id)
                .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            ).all()
            day_due_at = event.starts_at - timedelta(hours=event.reminder_hours_before or 0)
            for registration, email in rows:
                # Someone confirmed inside the reminder window has just had their confirmation.
                fresh = registration.confirmed_at is not None and registration.confirmed_at >= day_due_at
                if day_due and not fresh and _queue(registration, email, "reminder_day_before",
                                                    reminder_key("day-before", registration, event)):
                    counts["day_before"] += 1
                if (online_due and registration.attendance_mode == AttendanceMode.ONLINE
                        and _queue(registration, email, "reminder_online", reminder_key("online", registration, event))):
                    counts["online"] += 1
    return counts

