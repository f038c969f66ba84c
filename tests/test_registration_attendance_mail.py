"""The mails of a switch between in person and online, delivered by the real worker to a real SMTP
server: the switch confirmation with the updated invitation, and the promotion of the next in line."""
from __future__ import annotations

import icalendar
import pytest

from events_app.extensions import db
from events_app.registration.attendance_switch import switch_attendance
from events_app.registration.models import Registration
from tests.switch_support import JOIN_URL, hybrid_fields, register
from tests.support import deliver_mail as deliver


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


def delivered(runner, smtp_server, count: int) -> dict:
    """Deliver the outbox and return the messages received since the last call, by recipient."""
    seen = len(smtp_server.messages)
    deliver(runner)
    received = smtp_server.wait_for(seen + count)[seen:]
    assert len(received) == count, [str(m["Subject"]) for m in received]
    return {str(m["To"]): m for m in received}


def invite(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no text/calendar part"
    assert {p.get_param("method") for p in parts} == {"REQUEST"}
    [vevent] = icalendar.Calendar.from_ical(parts[0].get_content()).walk("VEVENT")
    return vevent


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def has_qr(message) -> bool:
    return any(p.get_content_type() == "image/png" for p in message.walk())


def test_switching_online_mails_the_attendee_an_updated_invite_and_the_next_in_line_a_promotion(
        app, runner, smtp_server, make_event):
    event = make_event(**hybrid_fields(title="冬のアルムナイ交流会", venue_name="本社 20階 ホール",
                                       capacity=1, online_capacity=3))
    leaving, token = register(event, 1)
    waiting, _ = register(event, 2)
    first = delivered(runner, smtp_server, 2)
    uid = db.session.get(Registration, leaving).calendar_uid
    assert invite(first["switch1@example.jp"])["SEQUENCE"] == 0

    switch_attendance(db.session.get(Registration, leaving), "online")
    received = delivered(runner, smtp_server, 2)

    mine = received["switch1@example.jp"]
    assert str(mine["Subject"]) == "【参加方法の変更】冬のアルムナイ交流会"
    body = text(mine)
    assert "オンライン参加に切り替え、参加が確定しました。" in body
    assert "会場のお席はキャンセル待ちの方にお譲りしました。" in body
    assert f"/r/{token}" in body and not has_qr(mine)
    vevent = invite(mine)
    assert (str(vevent["UID"]), vevent["SEQUENCE"]) == (uid, 1)
    assert str(vevent["LOCATION"]) == f"http://localhost/r/{token}/join"
    assert "本社 20階 ホール" not in str(vevent["LOCATION"])
    assert "GEO" not in vevent

    promoted = received["switch2@example.jp"]
    assert "キャンセル待ちから繰り上がり" in text(promoted)
    assert "本社 20階 ホール" in str(invite(promoted)["LOCATION"]) and has_qr(promoted)
    assert db.session.get(Registration, waiting).calendar_sequence == 0


def test_switching_to_in_person_mails_in_english_with_the_venue_and_the_qr_ticket(app, runner, smtp_server,
                                                                                  make_event):
    event = make_event(**hybrid_fields(title="冬のアルムナイ交流会", title_translation="Winter alumni meetup",
                                       venue_name="本社 20階 ホール", capacity=5, online_capacity=3))
    registration_id, _ = register(event, 1, "online", language="en")
    first = delivered(runner, smtp_server, 1)["switch1@example.jp"]
    assert str(invite(first)["LOCATION"]).endswith("/join") and not has_qr(first)

    switch_attendance(db.session.get(Registration, registration_id), "in_person")
    mine = delivered(runner, smtp_server, 1)["switch1@example.jp"]

    assert str(mine["Subject"]) == "Attendance changed: Winter alumni meetup"
    body = text(mine)
    assert "You now attend in person, and your seat at the venue is confirmed." in body
    assert "Your online place has been freed for someone else." in body
    vevent = invite(mine)
    assert vevent["SEQUENCE"] == 1 and "本社 20階 ホール" in str(vevent["LOCATION"])
    assert JOIN_URL not in vevent.to_ical().decode()
    assert has_qr(mine)


def test_moving_to_the_other_waitlist_mails_the_new_position_without_an_invite(app, runner, smtp_server,
                                                                                make_event):
    event = make_event(**hybrid_fields(title="春の交流会", capacity=1, online_capacity=1))
    register(event, 1)
    register(event, 2, "online")
    register(event, 3, "online")
    moving, _ = register(event, 4)
    delivered(runner, smtp_server, 4)

    switch_attendance(db.session.get(Registration, moving), "online", join_waitlist=True)
    mine = delivered(runner, smtp_server, 1)["switch4@example.jp"]

    assert "オンライン参加のキャンセル待ちに移りました。現在 2 番目です。" in text(mine)
    assert not [p for p in mine.walk() if p.get_content_type() == "text/calendar"]
