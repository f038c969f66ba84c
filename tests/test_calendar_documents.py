"""The .ics documents, read back by icalendar and by an independent parser (ical.js, via node).

Every round-trip asserts the UTC instant a client resolves, not only that parsing worked: a
TZID without its VTIMEZONE silently becomes floating local time in some clients.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events_app.calendar import documents, public, services
from events_app.extensions import db
from tests.support import require

JS_DIR = Path(__file__).resolve().parent / "js"
UTC = timezone.utc


def parse_with_icaljs(data: bytes) -> dict:
    """What ical.js (Mozilla's parser) resolves from the document; see tests/js/parse_ics.mjs."""
    node = shutil.which("node")
    require(node is not None and (JS_DIR / "node_modules" / "ical.js").is_dir(),
            "node and tests/js/node_modules are needed (run: cd tests/js && npm ci)")
    done = subprocess.run([node, str(JS_DIR / "parse_ics.mjs")], input=data, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def parse_with_icalendar(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def iso_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def assert_well_folded(data: bytes) -> None:
    """RFC 5545 §3.1: lines end in CRLF, at most 75 octets, never splitting a UTF-8 character."""
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold inside a multi-byte character would raise here


@pytest.fixture
def hybrid_event(make_event):
    return make_event(kind="hybrid", online_url="https://meet.example.com/j/123?pwd=secret",
                      venue_latitude=35.681236, venue_longitude=139.767125,
                      title="アルムナイ交流会 2026冬", title_translation="Alumni Meetup Winter 2026",
                      capacity=50, online_capacity=100)


def invite(registration, method=documents.REQUEST, sequence=None) -> bytes:
    return services.invite_document(registration, method=method, sequence=sequence)


# --- the personal invite ---------------------------------------------------------------------

@pytest.mark.parametrize("language, title, when_label, organizer_name", [
    ("ja", "アルムナイ交流会 2026冬", "日時:", "つなぐ アルムナイ事務局"),
    ("en", "Alumni Meetup Winter 2026", "When:", "Tsunagu Alumni Office"),
])
def test_new_invite_round_trips_in_both_parsers(hybrid_event, make_registration, make_person, language, title,
                                                 when_label, organizer_name):
    person = make_person(name="佐藤 健, Jr.; 営業", language=language)
    registration = make_registration(hybrid_event, person=person, language=language)
    data = invite(registration)
    assert_well_folded(data)

    cal = parse_with_icalendar(data)
    vevent = only_event(cal)
    assert cal["METHOD"] == "REQUEST"
    assert cal["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert str(vevent["UID"]) == registration.calendar_uid
    assert vevent["SEQUENCE"] == 0
    assert vevent["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert vevent.start == hybrid_event.starts_at and vevent.end == hybrid_event.ends_at
    assert str(vevent["SUMMARY"]) == title
    assert when_label in str(vevent["DESCRIPTION"])
    assert f"http://localhost/r/{registration.manage_token}" in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "本社 20階 ホール, 東京都千代田区丸の内1-1-1"
    assert vevent["GEO"].latitude == pytest.approx(35.681236)
    assert str(vevent["URL"]) == f"http://localhost/r/{registration.manage_token}"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["X-MICROSOFT-CDO-BUSYSTATUS"]) == "BUSY"
    organizer = vevent["ORGANIZER"]
    assert str(organizer) == "mailto:alumni@tsunagu.example" and organizer.params["CN"] == organizer_name
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == f"mailto:{person.email}"
    assert attendee.params["CN"] == "佐藤 健, Jr.; 営業"
    assert (attendee.params["ROLE"], attendee.params["PARTSTAT"], attendee.params["RSVP"]) == (
        "REQ-PARTICIPANT", "ACCEPTED", "FALSE")
    assert [str(a["ACTION"]) for a in vevent.walk("VALARM")] == ["DISPLAY"]

    parsed = parse_with_icaljs(data)
    assert parsed["method"] == "REQUEST"
    [event] = parsed["events"]
    assert event["uid"] == registration.calendar_uid and event["sequence"] == 0
    assert event["tzid"] == "Asia/Tokyo" and event["tzid_known"] and not event["floating"]
    assert event["start_utc"] == iso_z(hybrid_event.starts_at)
    assert event["end_utc"] == iso_z(hybrid_event.ends_at)
    assert event["summary"] == title
    assert event["attendees"][0]["cn"] == "佐藤 健, Jr.; 営業"
    assert event["attendees"][0]["partstat"] == "ACCEPTED"
    assert event["organizer"] == "mailto:alumni@tsunagu.example"
    assert event["alarms"] == ["-PT1H"]


@pytest.mark.parametrize("zone, local, expected_utc", [
    ("Europe/London", datetime(2027, 7, 1, 18, 30), datetime(2027, 7, 1, 17, 30, tzinfo=UTC)),   # BST
    ("Europe/London", datetime(2027, 1, 14, 18, 30), datetime(2027, 1, 14, 18, 30, tzinfo=UTC)),  # GMT
    ("America/New_York", datetime(2027, 11, 7, 10, 0), datetime(2027, 11, 7, 15, 0, tzinfo=UTC)),  # DST ended that night
    ("Asia/Tokyo", datetime(2027, 4, 1, 19, 0), datetime(2027, 4, 1, 10, 0, tzinfo=UTC)),
])
def test_event_in_its_own_zone_resolves_to_the_right_utc_start(make_event, make_registration, zone, local,
                                                              expected_utc):
    starts = local.replace(tzinfo=ZoneInfo(zone))
    event = make_event(timezone=zone, starts_at=starts.astimezone(UTC), ends_at=(starts + timedelta(hours=2)).astimezone(UTC))
    registration = make_registration(event)
    data = invite(registration)

    vevent = only_event(parse_with_icalendar(data))
    assert vevent["DTSTART"].params["TZID"] == zone
    assert vevent["DTSTART"].to_ical().decode() == local.strftime("%Y%m%dT%H%M%S")
    assert vevent.start.astimezone(UTC) == expected_utc

    parsed = parse_with_icaljs(data)
    assert parsed["timezones"] == [zone]
    [event_js] = parsed["events"]
    assert event_js["start_utc"] == iso_z(expected_utc)
    assert not event_js["floating"]


def test_update_keeps_the_uid_and_carries_the_recorded_sequence(hybrid_event, make_registration):
    registration = make_registration(hybrid_event)
    before = parse_with_icaljs(invite(registration))["events"][0]
    hybrid_event.starts_at += timedelta(days=1, hours=1)
    hybrid_event.ends_at += timedelta(days=1, hours=1)
    db.session.commit()

    data = invite(registration, sequence=3)
    vevent = only_event(parse_with_icalendar(data))
    assert str(vevent["UID"]) == registration.calendar_uid and vevent["SEQUENCE"] == 3
    after = parse_with_icaljs(data)["events"][0]
    assert after["uid"] == before["uid"]
    assert after["sequence"] == 3 > before["sequence"]
    assert after["start_utc"] == iso_z(hybrid_event.starts_at) != before["start_utc"]


def test_cancellation_has_same_uid_higher_sequence_and_cancelled_status(hybrid_event, make_registration):
    registration = make_registration(hybrid_event, language="en")
    data = invite(registration, method=documents.CANCEL, sequence=1)
    cal = parse_with_icalendar(data)
    vevent = only_event(cal)
    assert cal["METHOD"] == "CANCEL"
    assert str(vevent["UID"]) == registration.calendar_uid
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["X-MICROSOFT-CDO-BUSYSTATUS"]) == "FREE"
    assert not list(vevent.walk("VALARM"))
    assert str(vevent["SUMMARY"]).startswith("Cancelled:")

    parsed = parse_with_icaljs(data)
    assert parsed["method"] == "CANCEL"
    [event] = parsed["events"]
    assert (event["uid"], event["sequence"], event["status"]) == (registration.calendar_uid, 1, "CANCELLED")
    assert event["start_utc"] == iso_z(hybrid_event.starts_at)


def test_join_link_is_only_in_the_online_attendees_own_invite(hybrid_event, make_registration):
    online = make_registration(hybrid_event, attendance_mode="online")
    in_person = make_registration(hybrid_event)
    join = f"http://localhost/r/{online.manage_token}/join"

    online_event = parse_with_icaljs(invite(online))["events"][0]
    assert join in online_event["description"]
    assert online_event["location"] == join
    assert online_event["geo"] is None
    in_person_ics = invite(in_person).decode()
    for ics in (in_person_ics, public.public_event_document(hybrid_event, "ja").decode()):
        assert "/join" not in ics
        assert "meet.example.com" not in ics
    assert online.manage_token not in in_person_ics


def test_public_event_has_no_personal_data(hybrid_event, make_registration):
    registration = make_registration(hybrid_event)
    data = public.public_event_document(hybrid_event, "ja")
    text = data.decode()
    cal = parse_with_icalendar(data)
    vevent = only_event(cal)
    assert cal["METHOD"] == "PUBLISH"
    assert "ATTENDEE" not in text and registration.person.email not in text
    assert registration.manage_token not in text
    assert str(vevent["UID"]) == f"event-{hybrid_event.id}@localhost" != registration.calendar_uid
    assert str(vevent["URL"]) == f"http://localhost/events/{hybrid_event.slug}"
    [event] = parse_with_icaljs(data)["events"]
    assert event["start_utc"] == iso_z(hybrid_event.starts_at)


def test_feed_round_trips_with_its_name_and_each_events_utc_start(make_event):
    london = datetime(2027, 6, 3, 18, 0, tzinfo=ZoneInfo("Europe/London"))
    events = [
        make_event(title="東京の交流会"),
        make_event(title="London alumni drinks", language="en", timezone="Europe/London",
                   starts_at=london.astimezone(UTC), ends_at=(london + timedelta(hours=3)).astimezone(UTC)),
    ]
    data = public.feed_document(events, language="en", name="Tsunagu events", description="All events")
    assert_well_folded(data)
    cal = parse_with_icalendar(data)
    assert str(cal["X-WR-CALNAME"]) == "Tsunagu events"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT1H"
    assert sorted(tz["TZID"] for tz in cal.walk("VTIMEZONE")) == ["Asia/Tokyo", "Europe/London"]

    parsed = parse_with_icaljs(data)
    assert parsed["calname"] == "Tsunagu events"
    by_summary = {e["summary"]: e for e in parsed["events"]}
    assert by_summary["東京の交流会"]["start_utc"] == iso_z(events[0].starts_at)
    assert by_summary["London alumni drinks"]["start_utc"] == "2027-06-03T17:00:00.000Z"
    assert all(not e["floating"] and e["tzid_known"] for e in parsed["events"])


# --- hostile and awkward text ----------------------------------------------------------------

def test_commas_semicolons_backslashes_and_control_characters_are_escaped(make_event, make_registration):
    event = make_event(
        title="Q&A; 営業, 企画\\開発\x07 交流会",
        venue_name="ホール A, 20F; 北側",
        venue_address="東京都千代田区\x01\x0b丸の内1-1-1\x1b[31m, 本社ビル",
    )
    registration = make_registration(event)
    data = invite(registration)
    text = data.decode()
    assert "SUMMARY:Q&A\\; 営業\\, 企画\\\\開発 交流会" in text
    assert all(ch not in text for ch in "\x01\x0b\x07\x1b")

    vevent = only_event(parse_with_icalendar(data))
    assert str(vevent["SUMMARY"]) == "Q&A; 営業, 企画\\開発 交流会"
    assert str(vevent["LOCATION"]) == "ホール A, 20F; 北側, 東京都千代田区丸の内1-1-1[31m, 本社ビル"
    [parsed] = parse_with_icaljs(data)["events"]
    assert parsed["summary"] == "Q&A; 営業, 企画\\開発 交流会"
    assert parsed["location"] == str(vevent["LOCATION"])


def test_very_long_japanese_text_is_folded_and_survives_intact(make_event, make_registration, make_session):
    long_address = "東京都千代田区丸の内一丁目一番一号 " + "つなぐビルディング北館、" * 30
    event = make_event(title="長いタイトル" * 30, venue_address=long_address[:400])
    make_session(event, title="分科会「キャリアの話」, 第1部; 🎌", room="会議室 A")
    registration = make_registration(event)
    data = invite(registration)
    assert_well_folded(data)
    vevent = only_event(parse_with_icalendar(data))
    assert str(vevent["SUMMARY"]) == "長いタイトル" * 30
    assert str(vevent["LOCATION"]).endswith(long_address[:400].strip())
    parsed = parse_with_icaljs(data)["events"][0]
    assert parsed["summary"] == "長いタイトル" * 30
    assert parsed["location"] == str(vevent["LOCATION"])


def test_an_unknown_zone_never_reaches_the_file_as_a_tzid(make_event, make_registration):
    """Events refuse unknown zones on save; if one is in the database anyway, the .ics uses UTC."""
    event = make_event()
    event.timezone = "Mars/Olympus_Mons"  # bypassing the events service on purpose
    registration = make_registration(event)
    data = invite(registration)
    text = data.decode()
    assert "Mars" not in text and "TZID" not in text
    assert "X-WR-TIMEZONE:UTC" in text
    [parsed] = parse_with_icaljs(data)["events"]
    assert parsed["start_utc"] == iso_z(event.starts_at)
    assert not parsed["floating"]


def test_chosen_sessions_are_listed_in_the_description_not_as_events(make_event, make_registration,
                                                                    make_session):
    from events_app.enums import RegistrationStatus
    from events_app.registration.models import RegistrationSession

    event = make_event()
    first = make_session(event, title="テーブルA: 商社の今", room="3F 会議室",
                         starts_at=event.starts_at + timedelta(minutes=30),
                         ends_at=event.starts_at + timedelta(minutes=60))
    waiting = make_session(event, title="テーブルB: 満席")
    registration = make_registration(event)
    db.session.add_all([
        RegistrationSession(registration_id=registration.id, session_id=first.id, status=RegistrationStatus.CONFIRMED),
        RegistrationSession(registration_id=registration.id, session_id=waiting.id, status=RegistrationStatus.WAITLISTED),
    ])
    db.session.commit()
    data = invite(registration)
    cal = parse_with_icalendar(data)
    description = str(only_event(cal)["DESCRIPTION"])
    local = first.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"・{local:%H:%M}–" in description and "テーブルA: 商社の今(3F 会議室)" in description
    assert "テーブルB" not in description
    assert len(parse_with_icaljs(data)["events"]) == 1
