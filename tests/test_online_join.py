"""The webinar's personal join link: attendance recorded in its window, the URL only for the confirmed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.enums import EventKind
from events_app.extensions import db
from events_app.tickets.models import CheckIn


@pytest.fixture
def webinar(db_backend, make_event, make_registration):
    """A webinar starting in 30 minutes: its join link is open."""
    from datetime import timedelta

    from events_app.database import utcnow

    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/secret-room", capacity=None,
                       online_capacity=100, starts_at=utcnow() + timedelta(minutes=30))
    return event, make_registration(event, attendance_mode="online")


def test_join_link_records_attendance_then_redirects(client, webinar):
    event, registration = webinar
    response = client.get(f"/r/{registration.manage_token}/join")
    assert response.status_code == 303 and response.headers["Location"] == "https://meet.example/secret-room"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    db.session.refresh(registration)
    assert registration.online_joined_at is not None
    rows = db.session.scalars(select(CheckIn)).all()
    assert len(rows) == 1 and rows[0].mode.value == "online" and rows[0].source.value == "online_join"


@pytest.mark.parametrize("starts_in, lasts", [(timedelta(days=20), timedelta(hours=2)),
                                              (timedelta(minutes=61), timedelta(hours=2)),
                                              (timedelta(hours=-3), timedelta(hours=2))])
def test_join_link_clicked_long_before_the_start_or_after_the_end_redirects_without_recording(
        client, db_backend, make_event, make_registration, starts_in, lasts):
    from events_app.database import utcnow

    starts_at = utcnow() + starts_in
    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/early", capacity=None,
                       online_capacity=100, starts_at=starts_at, ends_at=starts_at + lasts)
    registration = make_registration(event, attendance_mode="online")
    response = client.get(f"/r/{registration.manage_token}/join")
    assert response.status_code == 303 and response.headers["Location"] == "https://meet.example/early"
    db.session.refresh(registration)
    assert registration.online_joined_at is None and db.session.scalars(select(CheckIn)).all() == []


@pytest.mark.parametrize("status", ["waitlisted", "pending", "cancelled"])
def test_join_link_never_reveals_the_url_before_confirmation(client, webinar, make_registration, status):
    event, _ = webinar
    registration = make_registration(event, status=status, attendance_mode="online")
    response = client.get(f"/r/{registration.manage_token}/join")
    assert response.status_code == 409 and b"secret-room" not in response.data


def test_join_link_for_an_in_person_attendee_is_refused(client, db_backend, make_event, make_registration):
    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example/hybrid", online_capacity=10)
    registration = make_registration(event)
    response = client.get(f"/r/{registration.manage_token}/join")
    assert response.status_code == 409 and b"meet.example" not in response.data
