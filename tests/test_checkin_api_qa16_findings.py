"""What the second QA look at the check-in API found (issue 4): a person already inside is not
told "too early" when the window moves; a replay gives the times the server keeps; a replayed
refusal keeps its opening time; a chunked body over the limit is refused, not cut; a synced table
check-in is refused, not taken as the entrance's; and smaller answers that said the wrong thing."""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from events_app.database import utcnow
from events_app.extensions import db
from events_app.registration.models import Registration, RegistrationSession
from events_app.tickets import codes, services

OVER_ONE_MB = 1024 * 1024 + 1


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_token):
    event = make_event(slug="mixer", starts_at=utcnow().replace(microsecond=0) + timedelta(hours=3))
    registration = make_registration(event)
    token, staff = make_token("operator")
    return event, registration, token


def post(client, path, token, body, language="en"):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}", "Accept-Language": language})


def code_of(registration):
    return codes.ticket_url(services.ticket_code(registration))


def set_window(event, minutes):
    event.checkin_opens_minutes = minutes
    db.session.commit()


def test_someone_already_inside_is_already_checked_in_when_the_window_moves_after_they_came(client, scene):
    event, registration, token = scene
    first = post(client, "/api/v1/checkin", token, {"event": "mixer", "code": code_of(registration)}).get_json()
    assert first["result"] == "ok"
    set_window(event, 60)  # the start is 3 hours away: the window is closed again
    again = post(client, "/api/v1/checkin", token, {"event": "mixer", "code": code_of(registration)}).get_json()
    assert again["result"] == "already_checked_in"
    assert again["checked_in_at"] == first["checked_in_at"] and "opens_at" not in again
    by_id = post(client, "/api/v1/checkin", token, {"event": "mixer", "registration_id": registration.id}).get_json()
    assert by_id["result"] == "already_checked_in"


def test_a_replayed_sync_gives_the_admission_time_the_server_keeps(client, scene):
    _, registration, token = scene
    ahead = (datetime.now(timezone.utc) + timedelta(hours=5)).isoformat()  # a device clock five hours fast
    batch = {"event": "mixer", "scans": [{"nonce": "fast-clock", "code": code_of(registration), "client_at": ahead}]}
    first = post(client, "/api/v1/checkin/sync", token, batch).get_json()["results"][0]
    again = post(client, "/api/v1/checkin/sync", token, batch).get_json()["results"][0]
    assert first["result"] == again["result"] == "ok" and again["replayed"] is True
    db.session.expire_all()
    kept = db.session.get(Registration, registration.id).checked_in_at
    assert datetime.fromisoformat(first["checked_in_at"]) == kept
    assert again["checked_in_at"] == first["checked_in_at"]


def test_a_replayed_table_check_in_gives_the_time_the_table_keeps(client, scene, make_session):
    event, registration, token = scene
    table = make_session(event)
    db.session.add(RegistrationSession(registration_id=registration.id, session_id=table.id))
    db.session.commit()
    scan = {"event": "mixer", "registration_id": registration.id, "session_id": table.id, "nonce": "table-9"}
    first = post(client, "/api/v1/checkin", token, scan).get_json()
    again = post(client, "/api/v1/checkin", token, scan).get_json()
    assert first["result"] == "ok" and again["replayed"] is True
    assert (again["checked_in_at"], again["checked_in_by"]) == (first["checked_in_at"], first["checked_in_by"])


def test_a_replayed_too_early_refusal_keeps_its_opening_time(client, scene):
    event, registration, token = scene
    set_window(event, 60)
    batch = {"event": "mixer", "scans": [{"nonce": "early-1", "code": code_of(registration),
                                          "client_at": utcnow().isoformat()}]}
    first = post(client, "/api/v1/checkin/sync", token, batch, language="ja").get_json()["results"][0]
    again = post(client, "/api/v1/checkin/sync", token, batch, language="ja").get_json()["results"][0]
    assert first["result"] == again["result"] == "too_early" and again["replayed"] is True
    assert again["opens_at"] == first["opens_at"] is not None
    assert again["message"] == first["message"] and first["message"].startswith("受付は ")


def test_a_chunked_body_over_the_limit_is_413_not_cut_and_read(client, scene):
    _, registration, token = scene
    scan = {"event": "mixer", "code": code_of(registration)}
    body = json.dumps(scan).encode() + b" " * OVER_ONE_MB  # valid JSON within the first megabyte
    response = client.post("/api/v1/checkin", input_stream=io.BytesIO(body),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked", "Accept-Language": "en"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None
    small = client.post("/api/v1/checkin", input_stream=io.BytesIO(json.dumps(scan).encode()),
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                 "Transfer-Encoding": "chunked"},
                        environ_overrides={"wsgi.input_terminated": True})
    assert small.status_code == 200 and small.get_json()["result"] == "ok"


def test_a_synced_table_check_in_is_refused_on_its_line_not_taken_as_the_entrances(client, scene, make_session):
    event, registration, token = scene
    table = make_session(event)
    batch = {"event": "mixer", "scans": [
        {"nonce": "t-1", "code": code_of(registration), "session_id": table.id},
        "not a scan"]}
    lines = post(client, "/api/v1/checkin/sync", token, batch).get_json()["results"]
    assert lines[0]["result"] == "error" and "session_id" in lines[0]["error"]["fields"]
    assert "/checkin" in lines[0]["error"]["message"]
    assert lines[1]["result"] == "error" and "must be an object" in lines[1]["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_a_replay_after_undo_does_not_say_checked_in(client, scene):
    _, registration, token = scene
    scan = {"event": "mixer", "code": code_of(registration), "nonce": "undo-me"}
    assert post(client, "/api/v1/checkin", token, scan).get_json()["message"] == "Checked in"
    post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id, "reason": "誤り"})
    again = post(client, "/api/v1/checkin", token, scan, language="ja").get_json()
    assert (again["result"], again["undone"]) == ("ok", True)
    assert again["message"] == "受付済みでしたが、その後取り消されました"


@pytest.mark.parametrize("query", ["%00", "%00%00", "%01"])
def test_a_search_of_control_characters_finds_nobody(client, scene, query):
    _, _registration, token = scene
    response = client.get(f"/api/v1/checkin/events/mixer/search?q={query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["results"] == []


def test_a_search_around_a_control_character_still_finds_the_person(client, scene):
    _, registration, token = scene
    name = registration.person.name_kana[:2]
    response = client.get(f"/api/v1/checkin/events/mixer/search?q={name}%00", headers={"Authorization": f"Bearer {token}"})
    assert [r["id"] for r in response.get_json()["results"]] == [registration.id]


def test_the_apis_401_names_the_bearer_scheme(client, scene):
    missing = client.post("/api/v1/checkin", json={"event": "mixer", "code": "x"})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="Tsunagu API"'
    wrong = client.post("/api/v1/checkin", json={"event": "mixer", "code": "x"}, headers={"Authorization": "Bearer nope"})
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="Tsunagu API", error="invalid_token"'


def test_the_door_pages_own_endpoints_refuse_a_chunked_body_over_the_limit_too(client, scene, login, make_staff):
    _, registration, _token = scene
    login(make_staff("operator"))
    body = json.dumps({"scans": []}).encode() + b" " * OVER_ONE_MB
    response = client.post("/checkin/mixer/api/sync?lang=en", input_stream=io.BytesIO(body),
                           headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked",
                                    "Accept": "application/json"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert "500 scans" in response.get_json()["error"]["message"]
