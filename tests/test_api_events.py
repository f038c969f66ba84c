"""JSON API v1 for events: happy paths, every error status, the OpenAPI document (sessions: test_api_event_sessions.py)."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from events_app.enums import EventStatus, Visibility
from events_app.events.models import Event
from events_app.extensions import db
from tests.conftest import in_days
from tests.support import api_error as error


def body(**overrides) -> dict:
    data = {
        "title": "Alumni Winter Mixer", "kind": "hybrid",
        "starts_at": "2031-01-10T19:00:00+09:00", "ends_at": "2031-01-10T21:00:00+09:00",
        "timezone": "Asia/Tokyo", "capacity": 60, "online_capacity": 200, "requires_approval": False,
        "audience": ["alumni", "employee"],
        "venue": {"name": "本社 20階", "address": "東京都千代田区丸の内2-7-2",
                  "map_url": "https://maps.example.com/hq", "latitude": 35.68, "longitude": 139.76},
        "online_url": "https://meet.example.com/mixer", "status": "published",
    }
    data.update(overrides)
    return data


# --- create ---------------------------------------------------------------------------------

def test_create_answers_201_with_the_slug(client, staff_token):
    response = client.post("/api/v1/events", json=body(), headers=staff_token)
    assert response.status_code == 201
    event = response.get_json()
    assert event["slug"] == "alumni-winter-mixer"
    assert event["starts_at"] == "2031-01-10T19:00:00+09:00" and event["status"] == "published"
    assert event["venue"]["name"] == "本社 20階" and event["online_url"] == "https://meet.example.com/mixer"
    assert response.headers["Location"].endswith("/api/v1/events/alumni-winter-mixer")


def test_a_webinar_is_not_created_published_without_its_join_url(client, staff_token):
    response = client.post("/api/v1/events", json=body(kind="webinar", online_url="", venue=None, capacity=None),
                           headers={**staff_token, "Accept-Language": "en"})
    assert response.status_code == 422 and set(error(response)["fields"]) == {"online_url"}
    assert db.session.scalar(select(Event)) is None
    draft = client.post("/api/v1/events", json=body(kind="webinar", online_url="", venue=None, capacity=None,
                                             status="draft"),
                        headers=staff_token)
    assert draft.status_code == 201  # a draft may wait for its URL


def test_reminder_schedule_and_survey_are_settings_of_the_api_too(client, staff_token):
    created = client.post("/api/v1/events", headers=staff_token, json=body(
        reminder_hours_before=72, online_reminder_minutes_before=None, survey_enabled=False,
        survey_closes_at="2031-01-20T23:59:00+09:00"))
    assert created.status_code == 201
    event = db.session.scalar(select(Event))
    assert (event.reminder_hours_before, event.online_reminder_minutes_before, event.survey_enabled) == (72, None, False)
    defaults = client.post("/api/v1/events", headers=staff_token, json=body(slug="with-defaults"))
    assert defaults.status_code == 201
    fresh = db.session.scalar(select(Event).where(Event.slug == "with-defaults"))
    assert (fresh.reminder_hours_before, fresh.online_reminder_minutes_before, fresh.survey_enabled) == (24, 15, True)
    bad = client.post("/api/v1/events", headers=staff_token, json=body(slug="bad", reminder_hours_before=-1))
    assert bad.status_code == 422 and set(error(bad)["fields"]) == {"reminder_hours_before"}


def test_requiring_a_session_choice_is_a_setting_of_the_api(client, staff_token):
    created = client.post("/api/v1/events", headers=staff_token, json=body(session_choice_required=True))
    assert created.status_code == 201 and created.get_json()["session_choice_required"] is True
    slug = created.get_json()["slug"]
    public = client.get(f"/api/v1/events/{slug}").get_json()
    assert public["session_choice_required"] is True  # a client needs it to build session_ids
    patched = client.patch(f"/api/v1/events/{slug}", headers=staff_token, json={"session_choice_required": False})
    assert patched.get_json()["session_choice_required"] is False
    bad = client.patch(f"/api/v1/events/{slug}", headers=staff_token, json={"session_choice_required": "maybe"})
    assert bad.status_code == 422 and set(error(bad)["fields"]) == {"session_choice_required"}
    default = client.post("/api/v1/events", headers=staff_token, json=body(slug="optional-tables"))
    assert default.get_json()["session_choice_required"] is False


def test_create_accepts_slug_description_translations_and_window(client, staff_token):
    response = client.post("/api/v1/events", headers=staff_token, json=body(
        title="冬の交流会", slug="winter-2031", description="**ようこそ**", status="draft",
        translations={"en": {"title": "Winter Mixer", "description": "Welcome"}},
        registration_opens_at="2030-12-01T10:00:00+09:00", registration_closes_at="2031-01-08T23:59:00+09:00"))
    assert response.status_code == 201
    event = db.session.scalar(select(Event))
    assert (event.slug, event.title_translation, event.status) == ("winter-2031", "Winter Mixer", EventStatus.DRAFT)
    assert response.get_json()["registration_closes_at"] == "2031-01-08T23:59:00+09:00"


def test_malformed_json_is_400(client, staff_token):
    response = client.post("/api/v1/events", data="{not json", headers={**staff_token, "Content-Type": "application/json"})
    assert response.status_code == 400 and error(response)["code"] == "malformed_request"


def test_a_json_array_is_400(client, staff_token):
    response = client.post("/api/v1/events", json=[1, 2], headers=staff_token)
    assert response.status_code == 400


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer tsu_wrong"}, {"Authorization": "Basic abc"}])
def test_no_or_invalid_token_is_401(client, headers, db_backend):
    response = client.post("/api/v1/events", json=body(), headers=headers)
    assert response.status_code == 401 and error(response)["code"] == "unauthorized"


def test_checkin_role_is_403(client, make_token, db_backend):
    token, _ = make_token("checkin")
    response = client.post("/api/v1/events", json=body(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and error(response)["code"] == "forbidden"


def test_a_revoked_token_is_401(client, make_token, db_backend):
    from events_app.auth.models import ApiToken
    from events_app.auth.services import revoke_token

    token, user = make_token("operator")
    revoke_token(user, db.session.scalar(select(ApiToken)).id)
    assert client.post("/api/v1/events", json=body(), headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_taken_slug_is_409(client, staff_token, make_event):
    make_event(slug="taken")
    response = client.post("/api/v1/events", json=body(slug="taken"), headers=staff_token)
    assert response.status_code == 409
    assert error(response)["code"] == "slug_taken" and "slug" in error(response)["fields"]


@pytest.mark.parametrize("overrides, field", [
    ({"starts_at": "2031-01-10T19:00:00"}, "starts_at"),          # no offset: ambiguous
    ({"ends_at": "next tuesday"}, "ends_at"),
    ({"ends_at": "2031-01-10T18:00:00+09:00"}, "ends_at"),
    ({"capacity": -1}, "capacity"),
    ({"timezone": "Tokyo"}, "timezone"),
    ({"kind": "party"}, "kind"),
    ({"audience": ["martians"]}, "audience"),
    ({"audience": "alumni"}, "audience"),
    ({"venue": "HQ"}, "venue"),
    ({"venue": {"name": "HQ", "map_url": "ftp://x"}}, "venue.map_url"),
    ({"venue": {"floor": 3}}, "venue.floor"),
    ({"online_url": "meet.example.com"}, "online_url"),
    ({"title": ""}, "title"),
    ({"title": 42}, "title"),
    ({"status": "cancelled"}, "status"),
    ({"requires_approval": "no"}, "requires_approval"),
    ({"colour": "red"}, "colour"),
    ({"translations": {"fr": {"title": "x"}}}, "translations"),
])
def test_field_errors_are_422_with_the_field_named(client, staff_token, overrides, field):
    response = client.post("/api/v1/events", json=body(**overrides), headers=staff_token)
    assert response.status_code == 422, response.get_json()
    err = error(response)
    assert err["code"] == "validation_error" and field in err["fields"], err
    assert db.session.scalar(select(Event)) is None


@pytest.mark.parametrize("overrides, field", [
    ({"venue": {"name": "本社 20階"}}, "venue.name"),
    ({"venue": {"address": "東京都千代田区丸の内2-7-2"}}, "venue.address"),
    ({"venue": {"latitude": 35.68, "longitude": 139.76}}, "venue.latitude"),
    ({"capacity": 60}, "capacity"),
])
def test_a_webinar_refuses_a_venue_and_venue_seats(client, staff_token, overrides, field):
    data = body(kind="webinar", **{"venue": None, "capacity": None, **overrides})
    response = client.post("/api/v1/events", json=data, headers={**staff_token, "Accept-Language": "en"})
    assert response.status_code == 422
    assert "online only" in " ".join(error(response)["fields"][field])
    assert db.session.scalar(select(Event)) is None


def test_a_webinar_with_online_seats_only_is_created(client, staff_token):
    response = client.post("/api/v1/events", json=body(kind="webinar", venue=None, capacity=None),
                           headers=staff_token)
    assert response.status_code == 201 and response.get_json()["online_capacity"] == 200


def test_turning_an_event_into_a_webinar_needs_its_venue_cleared(client, staff_token, make_event):
    event = make_event(slug="mixer", kind="hybrid", online_url="https://meet.example.com/m")
    refused = client.patch("/api/v1/events/mixer", json={"kind": "webinar"}, headers=staff_token)
    assert refused.status_code == 422
    assert {"venue.name", "venue.address", "capacity"} <= set(error(refused)["fields"])
    cleared = client.patch("/api/v1/events/mixer", json={"kind": "webinar", "venue": None, "capacity": None},
                           headers=staff_token)
    assert cleared.status_code == 200, cleared.get_json()
    db.session.refresh(event)
    assert (event.kind.value, event.venue_name, event.capacity) == ("webinar", "", None)


def test_a_naive_datetime_is_reported_with_the_other_errors(client, staff_token):
    response = client.post("/api/v1/events", json=body(starts_at="2031-01-10T19:00:00", capacity=-5),
                           headers={**staff_token, "Accept-Language": "en"})
    fields = error(response)["fields"]
    assert "offset" in fields["starts_at"][0] and "capacity" in fields


def test_missing_required_fields_are_named(client, staff_token):
    response = client.post("/api/v1/events", json={}, headers=staff_token)
    assert response.status_code == 422
    assert {"title", "kind", "starts_at", "ends_at", "timezone"} <= set(error(response)["fields"])


# --- read -----------------------------------------------------------------------------------

def test_list_has_published_listed_events_with_public_fields_only(client, make_event):
    make_event(slug="open", online_url="https://meet.example.com/secret")
    make_event(slug="draft", status=EventStatus.DRAFT)
    make_event(slug="unlisted", visibility=Visibility.UNLISTED)
    make_event(slug="cancelled", status=EventStatus.CANCELLED)
    events = client.get("/api/v1/events").get_json()["events"]
    assert [e["slug"] for e in events] == ["open"]
    assert "online_url" not in events[0] and "id" not in events[0]


def test_list_filters_by_kind_and_time(client, make_event, db_backend):
    make_event(slug="webinar", kind="webinar")
    make_event(slug="mixer", kind="networking")
    make_event(slug="old", kind="networking", status=EventStatus.COMPLETED, starts_at=in_days(-30))
    assert [e["slug"] for e in client.get("/api/v1/events?kind=webinar").get_json()["events"]] == ["webinar"]
    assert [e["slug"] for e in client.get("/api/v1/events?when=past").get_json()["events"]] == ["old"]


def test_list_rejects_an_unknown_filter(client, db_backend):
    response = client.get("/api/v1/events?kind=party&when=someday")
    assert response.status_code == 422 and {"kind", "when"} <= set(error(response)["fields"])


def test_read_one_includes_sessions_hosts_and_seats_left(client, make_event, make_session, make_registration):
    event = make_event(slug="mixer", capacity=10)
    make_session(event, title="テーブルA", online_url="https://meet.example.com/room-a")
    make_registration(event)
    data = client.get("/api/v1/events/mixer").get_json()
    assert data["seats_left"] == 9 and data["sessions"][0]["title"] == "テーブルA" and data["hosts"] == []
    assert "online_url" not in data["sessions"][0]


@pytest.mark.parametrize("status", [EventStatus.DRAFT])
def test_a_draft_is_404_publicly_but_readable_with_a_staff_token(client, staff_token, make_event, status):
    make_event(slug="draft", status=status, online_url="https://meet.example.com/x")
    assert client.get("/api/v1/events/draft").status_code == 404
    response = client.get("/api/v1/events/draft", headers=staff_token)
    assert response.status_code == 200 and response.get_json()["online_url"] == "https://meet.example.com/x"


def test_unknown_event_is_404(client, db_backend):
    response = client.get("/api/v1/events/nope")
    assert response.status_code == 404 and error(response)["code"] == "not_found"


# --- update, publish, cancel ----------------------------------------------------------------

def test_patch_changes_only_what_is_sent(client, staff_token, make_event):
    event = make_event(slug="mixer", capacity=10, title="Old")
    response = client.patch("/api/v1/events/mixer", json={"capacity": 20, "venue": {"name": "New Hall"}},
                            headers=staff_token)
    assert response.status_code == 200
    db.session.refresh(event)
    assert (event.capacity, event.venue_name, event.title) == (20, "New Hall", "Old")


def test_patch_with_bad_values_is_422(client, staff_token, make_event):
    make_event(slug="mixer")
    response = client.patch("/api/v1/events/mixer", json={"capacity": -3, "ends_at": "2031-01-01T00:00:00"},
                            headers=staff_token)
    assert response.status_code == 422 and "ends_at" in error(response)["fields"]


def test_patch_of_status_points_to_the_actions(client, staff_token, make_event):
    make_event(slug="mixer")
    response = client.patch("/api/v1/events/mixer", json={"status": "cancelled"}, headers=staff_token)
    assert response.status_code == 422 and "status" in error(response)["fields"]


def test_patch_of_a_cancelled_event_is_409(client, staff_token, make_event):
    make_event(slug="off", status=EventStatus.CANCELLED)
    response = client.patch("/api/v1/events/off", json={"title": "Back on"}, headers=staff_token)
    assert response.status_code == 409 and error(response)["code"] == "invalid_state"


def test_patch_unknown_event_is_404(client, staff_token):
    assert client.patch("/api/v1/events/nope", json={"title": "x"}, headers=staff_token).status_code == 404


def test_publish_then_publish_again(client, staff_token, make_event):
    make_event(slug="draft", status=EventStatus.DRAFT)
    first = client.post("/api/v1/events/draft/publish", headers=staff_token)
    assert first.status_code == 200 and first.get_json()["status"] == "published"
    again = client.post("/api/v1/events/draft/publish", headers=staff_token)
    assert again.status_code == 409 and error(again)["code"] == "invalid_state"


def test_cancel_with_a_reason_then_again_is_409(client, staff_token, make_event):
    make_event(slug="mixer")
    response = client.post("/api/v1/events/mixer/cancel", json={"reason": "台風"}, headers=staff_token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["cancellation_reason"] == "台風"
    assert client.post("/api/v1/events/mixer/cancel", headers=staff_token).status_code == 409


def test_cancel_without_a_body_works(client, staff_token, make_event):
    make_event(slug="mixer")
    assert client.post("/api/v1/events/mixer/cancel", headers=staff_token).status_code == 200


def test_cancel_with_malformed_json_is_400(client, staff_token, make_event):
    make_event(slug="mixer")
    response = client.post("/api/v1/events/mixer/cancel", data="{",
                           headers={**staff_token, "Content-Type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("method, path", [
    ("patch", "/api/v1/events/mixer"), ("post", "/api/v1/events/mixer/publish"),
    ("post", "/api/v1/events/mixer/cancel"), ("post", "/api/v1/events/mixer/sessions"),
])
def test_staff_actions_need_a_token(client, make_event, method, path):
    make_event(slug="mixer")
    assert getattr(client, method)(path, json={}).status_code == 401


# --- the OpenAPI document -------------------------------------------------------------------

EVENT_PATHS = {
    "/events": {"get", "post"}, "/events/{slug}": {"get", "patch"}, "/events/{slug}/publish": {"post"},
    "/events/{slug}/cancel": {"post"}, "/events/{slug}/sessions": {"post"},
    "/events/{slug}/sessions/{session_id}": {"patch", "delete"},
}


def test_openapi_document_describes_every_events_operation(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, methods in EVENT_PATHS.items():
        assert methods <= set(doc["paths"][path]), path
    create = doc["paths"]["/events"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/EventInput")
    assert {"201", "400", "401", "403", "409", "422"} <= set(create["responses"])
    assert {"Event", "EventInput", "Session", "SessionInput", "Error"} <= set(doc["components"]["schemas"])


def test_openapi_events_part_passes_the_spec_validator(client):
    from openapi_spec_validator import validate

    doc = client.get("/api/v1/openapi.json").get_json()
    validate({**doc, "paths": {path: doc["paths"][path] for path in EVENT_PATHS}})


@pytest.mark.parametrize("schema, prop", [("Venue", None), ("Event", "capacity"), ("EventInput", "capacity"),
                                          ("EventPatch", "capacity")])
def test_openapi_says_a_webinar_has_no_venue_and_no_venue_seats(client, schema, prop):
    described = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"][schema]
    description = (described["properties"][prop] if prop else described).get("description", "")
    assert "webinar" in description.lower()
