"""After the operator cancels an event, its attendees' pages, tickets and join links say so and
admit no one: registrations keep their status (the history), so each surface asks the event."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import utcnow
from events_app.enums import EventKind
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn


def cancel(client, staff_token, event, reason="講師の体調不良のため"):
    response = client.post(f"/api/v1/events/{event.slug}/cancel", json={"reason": reason}, headers=staff_token)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.fixture
def webinar(db_backend, make_event, make_registration):
    """A webinar starting in 30 minutes: its join link is open and would count as attendance."""
    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/room", capacity=None,
                       online_capacity=100, starts_at=utcnow() + timedelta(minutes=30))
    return event, make_registration(event, attendance_mode="online")


def test_the_join_link_of_a_cancelled_event_opens_nothing_and_records_nothing(client, webinar, staff_token):
    event, registration = webinar
    cancel(client, staff_token, event)
    response = client.get(f"/r/{registration.manage_token}/join?lang=en")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The event was cancelled" in page and "meet.example" not in page
    db.session.refresh(registration)
    assert registration.online_joined_at is None
    assert db.session.scalars(select(CheckIn)).all() == []


def test_the_attendee_page_of_a_cancelled_event_says_so_and_offers_no_join_or_cancel(client, webinar, staff_token):
    event, registration = webinar
    cancel(client, staff_token, event)
    page = client.get(f"/r/{registration.manage_token}?lang=ja").get_data(as_text=True)
    assert "このイベントは中止になりました。" in page and "講師の体調不良のため" in page
    assert "参加確定" not in page
    assert f"/r/{registration.manage_token}/join" not in page
    assert f"/r/{registration.manage_token}/cancel" not in page


def test_a_ticket_of_a_cancelled_event_is_no_longer_served_or_shown_as_valid(client, db_backend, make_event,
                                                                            make_registration, staff_token):
    event = make_event(slug="mixer")
    registration = make_registration(event)
    path = codes.ticket_url(services.ticket_code(registration)).replace("http://localhost", "")
    assert client.get(f"/r/{registration.manage_token}/ticket.png").status_code == 200
    cancel(client, staff_token, event)
    for kind in ("png", "svg", "pdf"):
        refused = client.get(f"/r/{registration.manage_token}/ticket.{kind}?lang=en")
        assert refused.status_code == 409, kind
        assert "The event was cancelled" in refused.get_data(as_text=True)
    ticket_page = client.get(path + "?lang=en").get_data(as_text=True)
    assert "This event has been cancelled." in ticket_page
    assert "Valid: show this code" not in ticket_page and "keep it for the day" not in ticket_page
    manage = client.get(f"/r/{registration.manage_token}?lang=en").get_data(as_text=True)
    assert "there is no ticket or join link any more" in manage and "ticket.svg" not in manage


@pytest.mark.parametrize("status, says", [("pending", "awaiting approval; the join link works once"),
                                          ("waitlisted", "waiting list; the join link works once"),
                                          ("cancelled", "the join link no longer opens the event")])
def test_a_join_link_not_yet_or_no_longer_confirmed_talks_of_the_link_not_a_ticket(
        client, db_backend, make_event, make_registration, status, says):
    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/room", capacity=None,
                       online_capacity=100, starts_at=utcnow() + timedelta(minutes=30))
    registration = make_registration(event, status=status, attendance_mode="online")
    response = client.get(f"/r/{registration.manage_token}/join?lang=en")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert says in page and "ticket" not in page.lower().split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_refusal_page_leads_with_the_reason_not_the_status_code(client, webinar, staff_token):
    """A person who tapped a join link reads why it does not open, in their language; the code is small print."""
    event, registration = webinar
    cancel(client, staff_token, event)
    page = client.get(f"/r/{registration.manage_token}/join?lang=ja").get_data(as_text=True)
    heading = page[page.index("<h1>") + 4:page.index("</h1>")]
    assert heading == "このイベントは中止になったため、チケットと参加用リンクはご利用いただけません。"
    assert "エラーコード 409" in page


def test_a_cancelled_events_door_admits_no_one_by_any_way_in(client, db_backend, make_event, make_registration,
                                                            staff_token, login, make_staff):
    event = make_event(slug="mixer")
    registration = make_registration(event)
    code = services.ticket_code(registration)
    cancel(client, staff_token, event)
    scan = client.post("/api/v1/checkin?lang=en", json={"code": code, "event": "mixer"}, headers=staff_token)
    assert scan.status_code == 409
    assert scan.get_json()["error"]["message"] == "The event was cancelled: its door admits no one."
    by_id = client.post("/api/v1/checkin", json={"registration_id": registration.id, "event": "mixer"},
                        headers=staff_token)
    assert by_id.status_code == 409
    synced = client.post("/api/v1/checkin/sync", json={"event": "mixer", "scans": [{"nonce": "n1", "code": code}]},
                         headers=staff_token).get_json()
    assert [line["result"] for line in synced["results"]] == ["error"]
    login(make_staff("operator"))
    page = client.get("/checkin/mixer?lang=en").get_data(as_text=True)
    assert 'id="event-cancelled"' in page and "its door admits no one" in page
    assert client.post("/checkin/mixer/api/scan", json={"code": code}).status_code == 409
    db.session.refresh(registration)
    assert registration.checked_in_at is None
    assert db.session.scalars(select(CheckIn)).all() == []
