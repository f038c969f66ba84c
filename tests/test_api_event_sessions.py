"""JSON API v1 for an event's sessions (breakout tables, timetable items): create, update, delete, errors."""
from __future__ import annotations

from datetime import timedelta

import pytest

from events_app.enums import EventStatus
from tests.support import api_error as error


def session_body(event, **overrides) -> dict:
    start = event.starts_at
    data = {"title": "テーブルA", "kind": "breakout", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "capacity": 8, "room": "12F"}
    data.update(overrides)
    return data


def test_session_create_update_delete(client, staff_token, make_event):
    event = make_event(slug="kabeuchi")
    created = client.post("/api/v1/events/kabeuchi/sessions", json=session_body(event), headers=staff_token)
    assert created.status_code == 201
    session_id = created.get_json()["id"]
    updated = client.patch(f"/api/v1/events/kabeuchi/sessions/{session_id}", json={"capacity": 6}, headers=staff_token)
    assert updated.status_code == 200 and updated.get_json()["capacity"] == 6
    assert client.delete(f"/api/v1/events/kabeuchi/sessions/{session_id}", headers=staff_token).status_code == 204
    assert client.get("/api/v1/events/kabeuchi").get_json()["sessions"] == []


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"capacity": -1}, "capacity"),
    ({"starts_at": "2000-01-01T10:00:00+09:00", "ends_at": "2000-01-01T11:00:00+09:00"}, "starts_at"),
    ({"starts_at": "2031-01-01T10:00:00"}, "starts_at"),
    ({"host_id": 999}, "host_id"),
    ({"table": "A"}, "table"),
])
def test_session_field_errors_are_422(client, staff_token, make_event, overrides, field):
    event = make_event(slug="kabeuchi")
    response = client.post("/api/v1/events/kabeuchi/sessions", json=session_body(event, **overrides),
                           headers=staff_token)
    assert response.status_code == 422 and field in error(response)["fields"]


def test_unknown_session_is_404(client, staff_token, make_event, make_session):
    make_event(slug="kabeuchi")
    other = make_event(slug="other")
    foreign = make_session(other)
    assert client.patch(f"/api/v1/events/kabeuchi/sessions/{foreign.id}", json={"capacity": 1},
                        headers=staff_token).status_code == 404
    assert client.delete("/api/v1/events/kabeuchi/sessions/99999", headers=staff_token).status_code == 404


def test_session_of_a_cancelled_event_is_409(client, staff_token, make_event):
    event = make_event(slug="off", status=EventStatus.CANCELLED)
    response = client.post("/api/v1/events/off/sessions", json=session_body(event), headers=staff_token)
    assert response.status_code == 409


@pytest.mark.parametrize("language, expected", [("en", "Table A"), ("ja", "A卓")])
def test_ending_the_event_before_a_session_is_refused_naming_it_in_the_readers_language(
        client, staff_token, make_event, make_session, language, expected):
    """The event cannot end before its timetable does: the refusal names the session as the
    operator reads it (a Japanese event's table by its English title for an English client)."""
    event = make_event(slug="kabeuchi", language="ja")
    make_session(event, title="A卓", title_translation="Table A", starts_at=event.starts_at,
                 ends_at=event.starts_at + timedelta(hours=2))
    before = client.get("/api/v1/events/kabeuchi").get_json()["ends_at"]
    response = client.patch("/api/v1/events/kabeuchi", headers={**staff_token, "Accept-Language": language},
                            json={"ends_at": (event.starts_at + timedelta(hours=1)).isoformat()})
    assert response.status_code == 422
    message = " ".join(error(response)["fields"]["ends_at"])
    assert expected in message and ("A卓" not in message if language == "en" else "Table A" not in message)
    assert client.get("/api/v1/events/kabeuchi").get_json()["ends_at"] == before
