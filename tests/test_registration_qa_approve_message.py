"""Approving a pending registration says what happened: confirmed, or waitlisted because the event is full."""
from __future__ import annotations

import re

import pytest

from events_app.enums import RegistrationStatus
from events_app.extensions import db


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


def flashes(html: str) -> list[str]:
    return re.findall(r'<div class="flash flash-(\w+)" role="status">([^<]*)</div>', html)


def approve(client, registration) -> str:
    return client.post(f"/admin/registrations/{registration.id}/approve", data={},
                       follow_redirects=True).get_data(as_text=True)


def test_approval_with_a_seat_left_says_confirmed(client, operator, make_event, make_registration, make_person):
    event = make_event(requires_approval=True, capacity=5)
    pending = make_registration(event, make_person(name="佐藤 花子"), status="pending")
    assert flashes(approve(client, pending)) == [
        ("success", "承認しました。佐藤 花子 さんの参加が確定し、メールでお知らせしました。")]


def test_approval_of_a_full_event_says_waitlisted_with_the_position(client, operator, make_event,
                                                                    make_registration, make_person):
    event = make_event(requires_approval=True, capacity=1)
    make_registration(event)  # takes the only seat
    make_registration(event, status="waitlisted", waitlist_rank=1)
    pending = make_registration(event, make_person(name="佐藤 花子"), status="pending")
    shown = flashes(approve(client, pending))
    db.session.expire_all()
    assert db.session.get(type(pending), pending.id).status == RegistrationStatus.WAITLISTED
    assert shown == [("warning", "承認しましたが、満席のため 佐藤 花子 さんはキャンセル待ち 2 番目になりました。"
                                 "メールでお知らせしました。")]


def test_the_message_is_in_english_for_an_english_operator(client, operator, make_event, make_registration,
                                                            make_person):
    event = make_event(requires_approval=True, capacity=1)
    make_registration(event)
    pending = make_registration(event, make_person(name="Hana Sato"), status="pending")
    client.set_cookie("tsunagu_lang", "en")
    assert flashes(approve(client, pending)) == [("warning", "Approved, but the event is full: Hana Sato is number 1 "
                                                             "on the waitlist and has been told by email.")]
