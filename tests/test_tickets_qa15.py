"""Attendee-side ticket fixes from the QA pass: online attendees have no QR, no re-issue for an
event that is off or over, a HEAD on the join link records nothing, full-width typing, dates."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import utcnow
from events_app.enums import AttendanceMode, EventKind, EventStatus
from events_app.extensions import db
from events_app.registration.tokens import manage_token
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn, Ticket


@pytest.fixture
def token_auth(make_token):
    token, _staff = make_token("operator")
    return {"Authorization": f"Bearer {token}"}


def test_an_online_attendee_has_no_ticket_images(client, db_backend, make_event, make_registration):
    webinar = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/abc")
    registration = make_registration(webinar, attendance_mode=AttendanceMode.ONLINE)
    root = f"/r/{manage_token(registration)}"
    for suffix in ("ticket.png", "ticket.svg", "ticket.pdf"):
        response = client.get(f"{root}/{suffix}", headers={"Accept-Language": "en"})
        assert response.status_code == 409, suffix
        assert "You attend online, so there is no ticket" in response.get_data(as_text=True)
    assert db.session.scalars(select(Ticket)).all() == []  # nothing issued for them either


def test_an_in_person_attendee_still_gets_the_qr(client, db_backend, make_event, make_registration):
    registration = make_registration(make_event())
    response = client.get(f"/r/{manage_token(registration)}/ticket.png")
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_no_re_issue_for_a_cancelled_or_finished_event(client, db_backend, make_event, make_registration,
                                                      token_auth):
    cancelled = make_event(status=EventStatus.CANCELLED)
    over = make_event(starts_at=utcnow() - timedelta(days=2))
    for event, message in ((cancelled, "The event was cancelled: its tickets are not re-issued."),
                           (over, "The event is over: its tickets are not re-issued.")):
        registration = make_registration(event)
        services.ticket_code(registration)
        response = client.post(f"/api/v1/tickets/{registration.id}/reissue", json={"reason": "紛失"},
                               headers={**token_auth, "Accept-Language": "en"})
        assert response.status_code == 409 and response.get_json()["error"]["message"] == message
        assert db.session.scalars(select(Ticket).where(Ticket.registration_id == registration.id,
                                                       Ticket.revoked_at.is_not(None))).all() == []


def test_a_head_request_on_the_join_link_records_no_attendance(client, db_backend, make_event, make_registration):
    webinar = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/abc",
                         starts_at=utcnow() + timedelta(minutes=10))
    registration = make_registration(webinar, attendance_mode=AttendanceMode.ONLINE)
    path = f"/r/{manage_token(registration)}/join"
    head = client.head(path)
    assert head.status_code == 204 and "Location" not in head.headers
    db.session.refresh(registration)
    assert registration.online_joined_at is None and db.session.scalars(select(CheckIn)).all() == []
    click = client.get(path)
    assert click.status_code == 303 and click.headers["Location"] == "https://meet.example/abc"
    db.session.refresh(registration)
    assert registration.online_joined_at is not None


def test_a_code_typed_in_full_width_is_read(client, db_backend, make_event, make_registration, token_auth):
    event = make_event(slug="mixer")
    code = services.ticket_code(make_registration(event))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # Ａ–Ｚ, ２–７ from a Japanese keyboard
    assert codes.verify(full_width) == codes.verify(code) is not None
    body = client.post("/api/v1/checkin", json={"code": full_width, "event": "mixer"}, headers=token_auth).get_json()
    assert body["result"] == "ok"


def test_the_ticket_page_says_on_which_day_someone_was_checked_in(client, db_backend, make_event,
                                                                   make_registration):
    from zoneinfo import ZoneInfo

    event = make_event()
    registration = make_registration(event)
    url = codes.ticket_url(services.ticket_code(registration))
    services.check_in_code(event, url, staff=None)
    db.session.commit()
    at = registration.checked_in_at.astimezone(ZoneInfo(event.timezone))
    html = client.get(url.replace("http://localhost", "")).get_data(as_text=True)
    assert f"{at.month}/{at.day} {at:%H:%M}" in html


def test_a_cursor_in_the_year_one_is_answered_not_a_500(client, db_backend, make_event, make_registration,
                                                        token_auth):
    event = make_event(slug="mixer")
    registration = make_registration(event)
    services.check_in_registration(event, registration.id, staff=None)
    response = client.get("/api/v1/checkin/events/mixer/counts?since=0001-01-01T00:00:00Z", headers=token_auth)
    assert response.status_code == 200
    assert [change["id"] for change in response.get_json()["changes"]] == [registration.id]


def test_a_refusal_on_an_attendees_own_link_leads_back_to_their_page(client, db_backend, make_event,
                                                                      make_registration):
    registration = make_registration(make_event(), status="waitlisted")
    response = client.get(f"/r/{registration.manage_token}/ticket.pdf")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f'href="/r/{registration.manage_token}"' in html and "お申し込みのページへ戻る" in html
