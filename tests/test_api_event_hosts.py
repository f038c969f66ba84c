"""JSON API v1 for an event's hosts and speakers: read with the event, add, change, remove, and
their title and profile in the event's other language (`current_title_translation`,
`profile_translation`) round-trip like a session's `title_translation`."""
from __future__ import annotations

import pytest

from events_app.enums import EventStatus
from events_app.events.models import Host
from events_app.extensions import db
from tests.support import api_error as error

TRANSLATED = {"current_title_translation": "Founder and CEO",
              "profile_translation": "From the Coal Department to founding a carbon-data start-up."}


def host_body(**overrides) -> dict:
    data = {"role": "speaker", "name": "佐藤 健一", "name_kana": "サトウ ケンイチ",
            "current_company": "カーボンリンク株式会社", "current_title": "代表取締役 CEO",
            "former_department": "石炭部", "joined_year": 2005, "left_year": 2015,
            "profile": "石炭部から起業。", **TRANSLATED}
    data.update(overrides)
    return data


def public_hosts(client, slug: str) -> list[dict]:
    return client.get(f"/api/v1/events/{slug}").get_json()["hosts"]


def test_the_event_lists_its_hosts_with_their_translations(client, db_backend, make_event):
    event = make_event(slug="kabeuchi")
    db.session.add(Host(event_id=event.id, name="佐藤 健一", current_title="代表取締役 CEO", profile="石炭部から起業。",
                        **TRANSLATED))
    db.session.commit()
    [host] = public_hosts(client, "kabeuchi")
    assert (host["current_title"], host["profile"]) == ("代表取締役 CEO", "石炭部から起業。")
    assert {k: host[k] for k in TRANSLATED} == TRANSLATED


def test_a_host_without_a_translation_has_empty_ones(client, db_backend, make_event):
    event = make_event(slug="kabeuchi")
    db.session.add(Host(event_id=event.id, name="佐藤 健一"))
    db.session.commit()
    [host] = public_hosts(client, "kabeuchi")
    assert (host["current_title_translation"], host["profile_translation"]) == ("", "")


def test_adding_a_host_round_trips_every_field(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    created = client.post("/api/v1/events/kabeuchi/hosts", json=host_body(), headers=staff_token)
    assert created.status_code == 201
    sent = host_body()
    assert {k: created.get_json()[k] for k in sent} == sent
    assert public_hosts(client, "kabeuchi") == [created.get_json()]


def test_changing_only_the_translations_keeps_the_rest(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    host_id = client.post("/api/v1/events/kabeuchi/hosts", json=host_body(), headers=staff_token).get_json()["id"]
    changes = {"current_title_translation": "CEO", "profile_translation": None}  # null clears, as for sessions
    updated = client.patch(f"/api/v1/events/kabeuchi/hosts/{host_id}", json=changes, headers=staff_token)
    assert updated.status_code == 200
    body = updated.get_json()
    assert (body["current_title_translation"], body["profile_translation"]) == ("CEO", "")
    assert (body["current_title"], body["profile"]) == ("代表取締役 CEO", "石炭部から起業。")


def test_removing_a_host_leaves_their_session_without_one(client, staff_token, make_event, make_session):
    event = make_event(slug="kabeuchi")
    host_id = client.post("/api/v1/events/kabeuchi/hosts", json=host_body(), headers=staff_token).get_json()["id"]
    make_session(event, host_id=host_id)
    assert client.delete(f"/api/v1/events/kabeuchi/hosts/{host_id}", headers=staff_token).status_code == 204
    body = client.get("/api/v1/events/kabeuchi").get_json()
    assert body["hosts"] == [] and body["sessions"][0]["host"] is None


@pytest.mark.parametrize("overrides, field, message", [
    ({"current_title_translation": "x" * 201}, "current_title_translation",
     "Keep this under 200 characters (it has 201)."),
    ({"profile_translation": "x" * 2001}, "profile_translation", "Keep this under 2000 characters (it has 2001)."),
    ({"current_title_translation": 42}, "current_title_translation", "Give text here."),
    ({"profile_translation": ["Founder"]}, "profile_translation", "Give text here."),
    ({"profile_translation": {"en": "Founder"}}, "profile_translation", "Give text here."),
    ({"current_title": "x" * 201}, "current_title", "Keep this under 200 characters (it has 201)."),
    ({"name": ""}, "name", "This field is required."),
    ({"role": "chair"}, "role", "Choose host, speaker or moderator."),
    ({"translations": {"en": {"profile": "Founder"}}}, "translations", "Unknown field."),
])
def test_bad_host_input_gets_field_errors(client, staff_token, make_event, overrides, field, message):
    make_event(slug="kabeuchi")
    response = client.post("/api/v1/events/kabeuchi/hosts", json=host_body(**overrides),
                           headers={**staff_token, "Accept-Language": "en"})
    assert response.status_code == 422
    assert error(response)["fields"][field] == [message]
    assert public_hosts(client, "kabeuchi") == []


def test_every_field_the_service_refuses_is_reported_at_once(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    response = client.post("/api/v1/events/kabeuchi/hosts", headers={**staff_token, "Accept-Language": "en"},
                           json=host_body(name="", current_title_translation="x" * 201, profile_translation="x" * 2001))
    assert response.status_code == 422
    assert set(error(response)["fields"]) == {"name", "current_title_translation", "profile_translation"}


def test_a_bad_change_leaves_the_host_as_it_was(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    host_id = client.post("/api/v1/events/kabeuchi/hosts", json=host_body(), headers=staff_token).get_json()["id"]
    response = client.patch(f"/api/v1/events/kabeuchi/hosts/{host_id}", headers=staff_token,
                            json={"current_title_translation": "x" * 201, "profile_translation": "Changed"})
    assert response.status_code == 422 and "current_title_translation" in error(response)["fields"]
    [host] = public_hosts(client, "kabeuchi")
    assert {k: host[k] for k in TRANSLATED} == TRANSLATED


def test_a_body_that_is_not_an_object_is_400(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    response = client.post("/api/v1/events/kabeuchi/hosts", json=["佐藤"], headers=staff_token)
    assert response.status_code == 400 and error(response)["code"] == "malformed_request"


def test_unknown_host_is_404(client, staff_token, make_event):
    make_event(slug="kabeuchi")
    other = make_event(slug="other")
    foreign = Host(event_id=other.id, name="他のイベントのホスト")
    db.session.add(foreign)
    db.session.commit()
    assert client.patch(f"/api/v1/events/kabeuchi/hosts/{foreign.id}", json={"name": "x"},
                        headers=staff_token).status_code == 404
    assert client.delete("/api/v1/events/kabeuchi/hosts/99999", headers=staff_token).status_code == 404


def test_hosts_of_a_cancelled_event_are_409(client, staff_token, make_event):
    make_event(slug="off", status=EventStatus.CANCELLED)
    assert client.post("/api/v1/events/off/hosts", json=host_body(), headers=staff_token).status_code == 409


@pytest.mark.parametrize("method, path", [("post", "/hosts"), ("patch", "/hosts/1"), ("delete", "/hosts/1")])
def test_changing_hosts_needs_an_operator_token(client, make_token, make_event, method, path):
    make_event(slug="kabeuchi")
    assert getattr(client, method)(f"/api/v1/events/kabeuchi{path}", json=host_body()).status_code == 401
    token, _user = make_token("checkin")
    response = getattr(client, method)(f"/api/v1/events/kabeuchi{path}", json=host_body(),
                                       headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_the_openapi_document_describes_the_translations(client, db_backend):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in TRANSLATED:
        assert schemas["Host"]["properties"][name]["type"] == "string"
    assert schemas["HostInput"]["properties"]["current_title_translation"]["maxLength"] == 200
    assert schemas["HostInput"]["properties"]["profile_translation"]["maxLength"] == 2000
    assert schemas["HostInput"]["additionalProperties"] is False
