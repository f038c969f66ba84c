"""Update and cancellation mails, delivered by the real worker to a real SMTP server."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events_app.events import services as events
from events_app.registration import services as registrations
from tests.support import deliver_mail as deliver


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


def calendar_parts(message) -> list:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def by_recipient(messages) -> dict:
    return {str(m["To"]): m for m in messages}


def test_an_update_mail_says_what_changed_and_carries_a_request(app, runner, smtp_server, make_event,
                                                                 make_registration, make_person, make_staff):
    event = make_event(title="冬のアルムナイ交流会", title_translation="Winter alumni meetup",
                       venue_name="本社 20階 ホール")
    ja = make_registration(event, person=make_person(email="hanako@example.jp", language="ja"))
    en = make_registration(event, person=make_person(email="emma@example.com", name="Emma Brown", language="en"),
                           language="en")
    uids = {"hanako@example.jp": ja.calendar_uid, "emma@example.com": en.calendar_uid}
    old_start = event.starts_at
    new_start = old_start + timedelta(days=1, hours=1)
    events.update_event(event.id, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2),
                                   "venue_name": "新本社 3階 ラウンジ"}, actor=make_staff())

    deliver(runner)
    received = by_recipient(smtp_server.wait_for(2))
    assert set(received) == set(uids)

    tokyo = ZoneInfo("Asia/Tokyo")
    old_local, new_local = old_start.astimezone(tokyo), new_start.astimezone(tokyo)
    japanese = received["hanako@example.jp"]
    assert str(japanese["Subject"]) == "【変更】冬のアルムナイ交流会"
    text = body_text(japanese)
    assert "変更内容" in text and "新本社 3階 ラウンジ" in text and "本社 20階 ホール" in text
    assert f"変更前: {old_local:%Y/%m/%d}" in text and f"変更後: {new_local:%Y/%m/%d}" in text
    assert f"{new_local:%H:%M}–" in text

    english = received["emma@example.com"]
    assert str(english["Subject"]) == "Changed: Winter alumni meetup"
    text = body_text(english)
    assert "What changed" in text and f"Before: {old_local:%a, %-d %b %Y %H:%M}" in text
    assert f"Now: {new_local:%a, %-d %b %Y %H:%M}" in text

    for address, message in received.items():
        parts = calendar_parts(message)
        assert parts, "no text/calendar part"
        assert all(p.get_param("method") == "REQUEST" for p in parts)
        assert any(p.get_content_disposition() is None for p in parts)  # the body alternative
        cal = icalendar.Calendar.from_ical(parts[0].get_content())
        [vevent] = cal.walk("VEVENT")
        assert str(vevent["UID"]) == uids[address]
        assert vevent["SEQUENCE"] == 1
        assert vevent.start == new_start
        assert "新本社 3階 ラウンジ" in str(vevent["LOCATION"])


def test_cancelling_the_event_mails_a_cancel_to_attendees_and_a_notice_to_the_waitlist(
        app, runner, smtp_server, make_event, make_registration, make_person, make_staff):
    event = make_event(title="春の交流会")
    confirmed = make_registration(event, person=make_person(email="attendee@example.jp"))
    make_registration(event, person=make_person(email="waiting@example.jp"), status="waitlisted")
    uid = confirmed.calendar_uid
    events.cancel_event(event.id, actor=make_staff(), reason="会場の設備点検のため")

    deliver(runner)
    received = by_recipient(smtp_server.wait_for(2))
    attendee, waiting = received["attendee@example.jp"], received["waiting@example.jp"]
    assert str(attendee["Subject"]) == "【中止】春の交流会"
    assert "会場の設備点検のため" in body_text(attendee)
    assert "カレンダーから予定が削除されます" in body_text(attendee)
    parts = calendar_parts(attendee)
    assert parts and all(p.get_param("method") == "CANCEL" for p in parts)
    [vevent] = icalendar.Calendar.from_ical(parts[0].get_content()).walk("VEVENT")
    assert (str(vevent["UID"]), vevent["SEQUENCE"], str(vevent["STATUS"])) == (uid, 1, "CANCELLED")

    assert calendar_parts(waiting) == []
    assert "お手続きは不要です" in body_text(waiting)


def test_confirmation_and_attendee_cancellation_carry_request_then_cancel(app, runner, smtp_server, make_event):
    event = make_event()
    result = registrations.register(event, {"name": "Emma Brown", "email": "emma@example.com",
                                            "affiliation": "alumni", "consent": True}, language="en")
    registration_id = result.registration.id
    deliver(runner)
    from events_app.extensions import db
    from events_app.registration.models import Registration

    registrations.cancel(db.session.get(Registration, registration_id))
    deliver(runner)
    confirmation, cancellation = smtp_server.wait_for(2)
    [request] = {p.get_param("method") for p in calendar_parts(confirmation)}
    [cancel] = {p.get_param("method") for p in calendar_parts(cancellation)}
    assert (request, cancel) == ("REQUEST", "CANCEL")
    first = icalendar.Calendar.from_ical(calendar_parts(confirmation)[0].get_content()).walk("VEVENT")[0]
    last = icalendar.Calendar.from_ical(calendar_parts(cancellation)[0].get_content()).walk("VEVENT")[0]
    assert str(first["UID"]) == str(last["UID"]) and last["SEQUENCE"] > first["SEQUENCE"]
    # The cancelled attendee's page can no longer change choices or cancel: the mail says so.
    assert "change your choices or cancel" in body_text(confirmation)
    assert "change your choices or cancel" not in body_text(cancellation)
    assert "you can check your status" in body_text(cancellation)


def test_an_update_still_unsent_when_the_attendee_cancels_is_not_sent(app, runner, smtp_server, make_event,
                                                                       make_registration, make_person, make_staff):
    from events_app.extensions import db
    from events_app.registration.models import Registration

    event = make_event()
    leaving = make_registration(event, person=make_person(email="leaving@example.jp"))
    make_registration(event, person=make_person(email="staying@example.jp"))
    new_start = event.starts_at + timedelta(hours=2)
    events.update_event(event.id, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)},
                        actor=make_staff())
    registrations.cancel(db.session.get(Registration, leaving.id))

    deliver(runner)
    received = smtp_server.wait_for(3, timeout=3)
    subjects = sorted((str(m["To"]), {p.get_param("method") for p in calendar_parts(m)}) for m in received)
    assert subjects == [("leaving@example.jp", {"CANCEL"}), ("staying@example.jp", {"REQUEST"})]
