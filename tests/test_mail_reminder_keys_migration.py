"""Migration 0008: reminders queued under the old dedupe key (no start time in it) still count
as sent, so the deploy that put the start into the key does not send them all again."""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events_app import create_app
from events_app.database import utcnow
from events_app.enums import Affiliation, EventKind, EventStatus, RegistrationStatus
from events_app.events.models import Event
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.people.models import Person
from events_app.registration.models import Registration
from events_app.registration.reminders import queue_due_reminders, reminder_key
from events_app.registration.tokens import assign_manage_token
from tests.test_foundation_migrations import empty_database_url  # noqa: F401 - a fixture

BEFORE = "0007_scheduled_messages"


def _reminded_registration() -> tuple[Registration, Event]:
    """An event tomorrow evening, one confirmed registration, its day-before reminder sent (old key)."""
    starts = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
    # A Core insert of the columns given (and those with defaults): the ORM would also name columns
    # that later migrations added (event.checkin_opens_minutes, 0010), which this schema lacks.
    event_id = db.session.execute(sa.insert(Event).values(
        slug="mixer", kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED, title="交流会",
        timezone="Asia/Tokyo", starts_at=starts, ends_at=starts + timedelta(hours=2),
        venue_name="本社", capacity=50, seats_taken=1).returning(Event.id)).scalar_one()
    event = db.session.get(Event, event_id, options=[sa.orm.load_only(Event.id, Event.starts_at, Event.timezone)])
    person = Person(email="hanako@example.jp", name="山田 花子", name_kana="ヤマダ ハナコ", affiliation=Affiliation.ALUMNI)
    db.session.add(person)
    db.session.flush()
    registration = Registration(event_id=event.id, person_id=person.id, status=RegistrationStatus.CONFIRMED,
                                calendar_uid=f"{uuid.uuid4()}@tsunagu", confirmed_at=utcnow() - timedelta(days=7),
                                holds_seat=True)
    assign_manage_token(registration)
    db.session.add(registration)
    db.session.flush()
    db.session.add(OutboxMessage(to_address=person.email, template="reminder_day_before", payload={},
                                 registration_id=registration.id, event_id=event.id,
                                 dedupe_key=f"reminder-day-before:{registration.id}"))
    db.session.commit()
    return registration, event


def _keys() -> list[str]:
    db.session.rollback()
    return db.session.scalars(sa.select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)).all()


def test_old_reminder_keys_are_rewritten_with_the_start_and_are_not_sent_again(empty_database_url):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        registration, event = _reminded_registration()
        upgrade()
        assert _keys() == [reminder_key("day-before", registration, event)]
        # The reminder is due now: the rewritten key says it was queued already.
        assert queue_due_reminders()["day_before"] == 0
        assert len(_keys()) == 1

        downgrade(revision=BEFORE)
        assert _keys() == [f"reminder-day-before:{registration.id}"]
        db.session.remove()
        db.engine.dispose()
