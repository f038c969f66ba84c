"""A withdrawn invite says what ended: 【キャンセル】 for one's own registration, 【中止】 only when the
event itself is called off."""
from __future__ import annotations

import icalendar

from events_app.database import utcnow

from tests.support import deliver_mail as deliver


def summary_of(response) -> str:
    [vevent] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return str(vevent["SUMMARY"])


def cancel_summaries(messages) -> list[str]:
    return [str(vevent["SUMMARY"]) for message in messages for part in message.walk()
            if part.get_content_type() == "text/calendar"
            for vevent in icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")]


def test_cancelling_ones_own_registration_is_not_called_the_events_cancellation(client, make_event,
                                                                                make_registration):
    registration = make_registration(make_event(title="冬の交流会"), language="ja")
    done = client.post(f"/r/{registration.manage_token}/cancel", data={"confirm": "y", "reason": ""})
    assert done.status_code in (200, 302)
    assert summary_of(client.get(f"/r/{registration.manage_token}/invite.ics?lang=ja")) == "【キャンセル】冬の交流会"


def test_an_event_called_off_is_cancelled_in_the_calendar(client, staff_token, make_event, make_registration):
    event = make_event(title="冬の交流会", published_at=utcnow())
    registration = make_registration(event, language="ja")
    assert client.post(f"/api/v1/events/{event.slug}/cancel", headers=staff_token, json={}).status_code == 200
    assert summary_of(client.get(f"/r/{registration.manage_token}/invite.ics?lang=ja")) == "【中止】冬の交流会"
    assert summary_of(client.get(f"/events/{event.slug}.ics?lang=ja")) == "【中止】冬の交流会"


def test_the_cancellation_mail_carries_the_registrations_own_label(app, client, runner, smtp_server, make_event,
                                                                   make_registration):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    registration = make_registration(make_event(title="冬の交流会"), language="ja")
    client.post(f"/r/{registration.manage_token}/cancel", data={"confirm": "y", "reason": ""})
    deliver(runner)
    summaries = cancel_summaries(smtp_server.wait_for(1))
    assert summaries and set(summaries) == {"【キャンセル】冬の交流会"}
