"""A moved event reminds again for its new start, once; the same start never reminds twice."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from events_app.database import utcnow
from events_app.enums import EventKind
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.reminders import queue_due_reminders


def reminders_to(registration, template: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.registration_id == registration.id, OutboxMessage.template == template))


def test_a_postponed_webinar_reminds_again_at_its_new_start(client, staff_token, runner, make_event,
                                                             make_registration):
    soon = utcnow() + timedelta(minutes=10)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=1), kind=EventKind.WEBINAR,
                       online_url="https://meet.example/abc", reminder_hours_before=24,
                       online_reminder_minutes_before=15)
    online = make_registration(event, attendance_mode="online", confirmed_at=utcnow() - timedelta(days=3))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "queued 1 day-before and 1 online" in result.output

    new_start = soon + timedelta(days=1)
    moved = client.patch(f"/api/v1/events/{event.slug}", headers=staff_token,
                         json={"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=1)).isoformat()})
    assert moved.status_code == 200, moved.get_json()
    assert queue_due_reminders() == {"day_before": 0, "online": 0}  # the new start is not due yet
    assert queue_due_reminders(now=new_start - timedelta(minutes=10)) == {"day_before": 1, "online": 1}
    assert queue_due_reminders(now=new_start - timedelta(minutes=5)) == {"day_before": 0, "online": 0}
    assert reminders_to(online, "reminder_online") == 2
    assert reminders_to(online, "reminder_day_before") == 2


def test_an_event_moved_back_to_a_start_already_reminded_for_does_not_remind_twice(
        client, staff_token, make_event, make_registration):
    soon = utcnow() + timedelta(hours=10)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=2), reminder_hours_before=24)
    registration = make_registration(event, confirmed_at=utcnow() - timedelta(days=3))
    assert queue_due_reminders() == {"day_before": 1, "online": 0}
    for start in (soon + timedelta(hours=1), soon):
        moved = client.patch(f"/api/v1/events/{event.slug}", headers=staff_token,
                             json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()})
        assert moved.status_code == 200, moved.get_json()
        queue_due_reminders()
    assert reminders_to(registration, "reminder_day_before") == 2
