"""The calendar commands write the same documents the app serves."""
from __future__ import annotations

import icalendar


def test_calendar_invite_writes_the_registrations_current_invite(runner, make_event, make_registration):
    registration = make_registration(make_event())
    result = runner.invoke(args=["calendar-invite", str(registration.id)])
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical(result.stdout_bytes)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["UID"]) == registration.calendar_uid


def test_calendar_invite_explains_why_there_is_none(runner, make_event, make_registration):
    registration = make_registration(make_event(), status="waitlisted")
    result = runner.invoke(args=["calendar-invite", str(registration.id)])
    assert result.exit_code != 0
    assert "waitlisted" in result.output and "no calendar invite" in result.output
    assert "No registration with id 999999" in runner.invoke(args=["calendar-invite", "999999"]).output


def test_calendar_feed_and_event_write_public_documents(runner, make_event, tmp_path):
    event = make_event(kind="webinar", online_url="https://meet.example/w")
    make_event(kind="networking")
    target = tmp_path / "feed.ics"
    result = runner.invoke(args=["calendar-feed", "--kind", "webinar", "--lang", "en", "-o", str(target)])
    assert result.exit_code == 0, result.output
    feed = icalendar.Calendar.from_ical(target.read_bytes())
    assert [str(v["UID"]) for v in feed.walk("VEVENT")] == [f"event-{event.id}@localhost"]
    one = runner.invoke(args=["calendar-event", event.slug])
    assert one.exit_code == 0 and b"METHOD:PUBLISH" in one.stdout_bytes
    missing = runner.invoke(args=["calendar-event", "nope"])
    assert missing.exit_code != 0 and "No published event" in missing.output
