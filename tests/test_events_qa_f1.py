"""Changing an existing event without breaking what attendees were promised: its kind keeps the
attendance side people registered for, a published event keeps its address and cannot be created
already over, and the API reports unknown keys together with every other field at fault."""
from __future__ import annotations

import re

import pytest

from events_app.enums import EventKind, EventStatus
from events_app.extensions import db
from tests.conftest import in_days
from tests.support import api_error as error

EN = {"Accept-Language": "en"}
TO_WEBINAR = {"kind": "webinar", "venue": None, "capacity": None, "online_url": "https://zoom.example/j/9",
              "online_capacity": 50}
TO_NETWORKING = {"kind": "networking", "online_url": "", "online_capacity": None}


@pytest.fixture
def operator_client(client, login, make_staff, db_backend):
    login(make_staff("operator"))
    client.set_cookie("tsunagu_lang", "en")
    return client


def field_error(html: str, field_id: str) -> str:
    block = re.search(rf'id="field-{field_id}">(.*?)</div>', html, re.S)
    assert block, f"no field {field_id}"
    return " ".join(re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group(1), re.S))


def hybrid(make_event):
    return make_event(kind=EventKind.HYBRID, online_url="https://meet.example.com/x", online_capacity=100)


# --- 1. a change of kind never strands active registrations -----------------------------------

@pytest.mark.parametrize("status", ["confirmed", "pending", "waitlisted"])
def test_an_event_with_people_coming_in_person_does_not_become_a_webinar(client, staff_token, make_event,
                                                                         make_registration, status):
    event = make_event(slug="kabeuchi-night")
    make_registration(event, status=status)
    response = client.patch("/api/v1/events/kabeuchi-night", json=TO_WEBINAR, headers={**staff_token, **EN})
    assert response.status_code == 422
    assert "in person" in " ".join(error(response)["fields"]["kind"])
    db.session.refresh(event)
    assert event.kind == EventKind.NETWORKING and event.venue_name


def test_a_hybrid_event_with_online_attendees_keeps_its_online_side(client, staff_token, make_event,
                                                                    make_registration):
    event = hybrid(make_event)
    make_registration(event, attendance_mode="online")
    response = client.patch(f"/api/v1/events/{event.slug}", json=TO_NETWORKING, headers={**staff_token, **EN})
    assert response.status_code == 422 and "online" in " ".join(error(response)["fields"]["kind"])
    db.session.refresh(event)
    assert event.kind == EventKind.HYBRID and event.online_url


def test_a_kind_change_is_fine_when_nobody_active_is_on_the_side_it_removes(client, staff_token, make_event,
                                                                           make_registration):
    event = hybrid(make_event)
    make_registration(event)  # in person: networking keeps the venue
    make_registration(event, status="cancelled", attendance_mode="online")
    response = client.patch(f"/api/v1/events/{event.slug}", json=TO_NETWORKING, headers=staff_token)
    assert response.status_code == 200 and response.get_json()["kind"] == "networking"


def test_the_edit_form_refuses_the_kind_change_and_keeps_what_was_typed(operator_client, make_event,
                                                                        make_registration):
    event = make_event()
    make_registration(event)
    data = {"title": "Now online", "kind": "webinar", "language": "ja", "timezone": "Asia/Tokyo",
            "starts_at": event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), "online_url": "https://zoom.example/j/9",
            "online_capacity": "50", "audience": ["alumni"], "visibility": "listed", "slug": event.slug}
    response = operator_client.post(f"/admin/events/{event.slug}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "in person" in field_error(html, "kind")
    assert 'value="Now online"' in html and 'value="https://zoom.example/j/9"' in html


# --- 2. an event is not created published and already over -----------------------------------

def test_an_event_in_the_past_is_not_created_published(client, staff_token):
    body = {"title": "Old times", "kind": "networking", "timezone": "Asia/Tokyo", "status": "published",
            "starts_at": "2010-05-01T19:00:00+09:00", "ends_at": "2010-05-01T21:00:00+09:00",
            "venue": {"name": "本社"}}
    response = client.post("/api/v1/events", json=body, headers={**staff_token, **EN})
    assert response.status_code == 422
    assert "already ended" in " ".join(error(response)["fields"]["ends_at"])
    assert client.post("/api/v1/events", json={**body, "status": "draft"}, headers=staff_token).status_code == 201


# --- 3. unknown keys come back with every other field at fault --------------------------------

def test_an_unknown_key_does_not_hide_a_bad_capacity_in_a_patch(client, staff_token, make_event):
    event = make_event()
    response = client.patch(f"/api/v1/events/{event.slug}", json={"capacity": -1, "nope": 1}, headers=staff_token)
    assert response.status_code == 422 and set(error(response)["fields"]) == {"capacity", "nope"}


def test_an_unknown_venue_key_does_not_hide_bad_coordinates(client, staff_token):
    body = {"title": "Coordinates", "kind": "networking", "timezone": "Asia/Tokyo",
            "starts_at": "2031-05-01T19:00:00+09:00", "ends_at": "2031-05-01T21:00:00+09:00",
            "venue": {"name": "本社", "latitude": 200, "longitude": 500, "bogus": 1}}
    response = client.post("/api/v1/events", json=body, headers=staff_token)
    assert response.status_code == 422
    assert set(error(response)["fields"]) == {"venue.bogus", "venue.latitude", "venue.longitude"}


def test_an_unknown_session_key_does_not_hide_a_bad_capacity_and_host(client, staff_token, make_event):
    event = make_event()
    body = {"title": "Table", "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat(),
            "capacity": -3, "host_id": 999, "zz": 1}
    response = client.post(f"/api/v1/events/{event.slug}/sessions", json=body, headers=staff_token)
    assert response.status_code == 422 and set(error(response)["fields"]) == {"capacity", "host_id", "zz"}
    assert not event.sessions


def test_an_unknown_session_key_in_a_patch_comes_with_the_other_faults(client, staff_token, make_event,
                                                                      make_session):
    event = make_event()
    session = make_session(event)
    response = client.patch(f"/api/v1/events/{event.slug}/sessions/{session.id}",
                            json={"capacity": "many", "zz": 1}, headers=staff_token)
    assert response.status_code == 422 and set(error(response)["fields"]) == {"capacity", "zz"}


def test_an_unknown_host_key_does_not_hide_a_missing_name_or_a_bad_year(client, staff_token, make_event):
    event = make_event()
    created = client.post(f"/api/v1/events/{event.slug}/hosts", json={"name": "", "joined_year": 1200, "zz": 1},
                          headers=staff_token)
    assert created.status_code == 422 and set(error(created)["fields"]) == {"name", "joined_year", "zz"}
    host = client.post(f"/api/v1/events/{event.slug}/hosts", json={"name": "田中 一郎"}, headers=staff_token)
    patched = client.patch(f"/api/v1/events/{event.slug}/hosts/{host.get_json()['id']}",
                           json={"left_year": "soon", "zz": 1}, headers=staff_token)
    assert patched.status_code == 422 and set(error(patched)["fields"]) == {"left_year", "zz"}


def test_a_malformed_date_is_reported_once_with_the_other_faults(client, staff_token, make_event):
    event = make_event()
    response = client.patch(f"/api/v1/events/{event.slug}", json={"ends_at": "2031-05-01T21:00", "capacity": -1},
                            headers={**staff_token, **EN})
    fields = error(response)["fields"]
    assert set(fields) == {"ends_at", "capacity"} and len(fields["ends_at"]) == 1 and "offset" in fields["ends_at"][0]


# --- 4. a published event keeps its address ---------------------------------------------------

def test_a_published_event_keeps_its_slug_on_the_api(client, staff_token, make_event):
    event = make_event(slug="kabeuchi-night")
    response = client.patch("/api/v1/events/kabeuchi-night", json={"slug": "renamed"}, headers={**staff_token, **EN})
    assert response.status_code == 422 and "slug" in error(response)["fields"]
    assert client.get("/events/kabeuchi-night").status_code == 200


def test_a_published_event_keeps_its_slug_on_the_edit_form(operator_client, make_event, make_registration):
    event = make_event(slug="kabeuchi-night")
    make_registration(event)
    data = {"title": event.title, "kind": "networking", "language": "ja", "timezone": "Asia/Tokyo",
            "starts_at": event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), "venue_name": event.venue_name,
            "capacity": "100", "audience": ["alumni"], "visibility": "listed", "slug": "renamed-night"}
    response = operator_client.post("/admin/events/kabeuchi-night/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "/events/kabeuchi-night" in field_error(html, "slug") and 'value="renamed-night"' in html
    db.session.refresh(event)
    assert event.slug == "kabeuchi-night"


def test_the_edit_form_of_a_published_event_says_its_address_stays(client, login, make_staff, make_event,
                                                                   db_backend):
    login(make_staff("operator"))
    published, draft = make_event(slug="kabeuchi-night"), make_event(status=EventStatus.DRAFT)
    page = client.get("/admin/events/kabeuchi-night/edit", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "アドレスは /events/kabeuchi-night のまま変わりません" in page
    assert "のまま変わりません" not in client.get(f"/admin/events/{draft.slug}/edit").get_data(as_text=True)


def test_a_draft_may_still_change_its_slug(client, staff_token, make_event):
    event = make_event(slug="first-idea", status=EventStatus.DRAFT, starts_at=in_days(30))
    response = client.patch("/api/v1/events/first-idea", json={"slug": "better-idea"}, headers=staff_token)
    assert response.status_code == 200 and response.get_json()["slug"] == "better-idea"
    db.session.refresh(event)
    assert event.slug == "better-idea"


def test_the_kind_and_slug_refusals_read_in_japanese(client, staff_token, make_event, make_registration):
    event = make_event(slug="kabeuchi-night")
    make_registration(event)
    response = client.patch("/api/v1/events/kabeuchi-night", json={**TO_WEBINAR, "slug": "renamed"},
                            headers={**staff_token, "Accept-Language": "ja"})
    fields = error(response)["fields"]
    assert "会場参加の有効な登録" in fields["kind"][0] and "/events/kabeuchi-night" in fields["slug"][0]
    assert "アドレスは変更できません" in fields["slug"][0]
