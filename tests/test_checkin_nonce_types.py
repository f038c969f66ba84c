"""The check-in nonce's JSON type: text, or a whole number (kept as its decimal text: offline clients
may send numbers); any other type is refused with 422 on `nonce` and nothing is recorded, through
the bearer API, the door screen's own endpoints and offline sync batches."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.extensions import db
from events_app.tickets import services
from events_app.tickets.models import CheckIn

NOT_TEXT_OR_WHOLE_NUMBER = [["n-1"], {"id": "n-1"}, 1.5, 7.0, True, False, []]
FIELD_ERROR = "Must be text or a whole number."


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_person, make_token):
    event = make_event(slug="nonces")
    registration = make_registration(event, person=make_person(name="中村 蓮", name_kana="ナカムラ レン"))
    token, _ = make_token("operator")
    return registration, token


def recorded() -> list[CheckIn]:
    db.session.expire_all()
    return db.session.scalars(select(CheckIn)).all()


def scan_bodies(registration) -> dict[str, tuple[str, dict]]:
    """Each way a single check-in reaches the service over HTTP: (path, body without the nonce)."""
    code = services.ticket_code(registration)
    return {
        "api-code": ("/api/v1/checkin", {"event": "nonces", "code": code}),
        "api-registration": ("/api/v1/checkin", {"event": "nonces", "registration_id": registration.id}),
        "door-scan": ("/checkin/nonces/api/scan", {"code": code}),
        "door-search": ("/checkin/nonces/api/checkin", {"registration_id": registration.id}),
    }


@pytest.fixture
def send(client, login, make_staff, scene):
    """send(path, body): the bearer API with the token, the door screen's endpoints signed in."""
    registration, token = scene
    signed_in = []

    def post(path: str, body: dict):
        headers = {}
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {token}"
        elif not signed_in:
            signed_in.append(login(make_staff("operator")))
        # In English whoever asks (staff are answered in their own language, Japanese by default).
        return client.post(path, json=body, headers=headers, query_string={"lang": "en"})
    return post


@pytest.mark.parametrize("route", ["api-code", "api-registration", "door-scan", "door-search"])
@pytest.mark.parametrize("nonce", NOT_TEXT_OR_WHOLE_NUMBER, ids=repr)
def test_a_nonce_neither_text_nor_a_whole_number_is_422_on_nonce_and_admits_no_one(scene, send, route, nonce):
    registration, _ = scene
    path, body = scan_bodies(registration)[route]
    response = send(path, {**body, "nonce": nonce})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["fields"] == {"nonce": [FIELD_ERROR]}
    assert recorded() == [] and registration.checked_in_at is None


@pytest.mark.parametrize("route", ["api-code", "door-search"])
@pytest.mark.parametrize("nonce, text", [(42, "42"), (0, "0"), (-7, "-7"), (10 ** 30, "1" + "0" * 30)])
def test_a_whole_number_nonce_is_kept_as_its_decimal_text(scene, send, route, nonce, text):
    registration, _ = scene
    path, body = scan_bodies(registration)[route]
    first = send(path, {**body, "nonce": nonce})
    assert first.status_code == 200 and first.get_json()["result"] == "ok"
    assert [row.nonce for row in recorded()] == [text]
    # The same nonce sent as text is the same scan: a retry, answered as before.
    again = send(path, {**body, "nonce": text}).get_json()
    assert again["result"] == "ok" and again["replayed"] and len(recorded()) == 1


def test_the_nonce_error_is_translated(client, scene):
    registration, token = scene
    response = client.post("/api/v1/checkin", json={"event": "nonces", "code": "x", "nonce": [1]},
                           headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["nonce"] == ["文字列か整数で指定してください。"]


@pytest.mark.parametrize("path", ["/api/v1/checkin/sync", "/checkin/nonces/api/sync"])
def test_a_sync_batch_answers_a_bad_nonce_on_its_own_line_and_syncs_the_rest(scene, send, make_registration,
                                                                             make_person, path):
    registration, _ = scene
    other = make_registration(registration.event, person=make_person(name="小林 葵"))
    scans = [
        {"nonce": ["q1"], "code": services.ticket_code(registration), "client_at": "2026-11-26T09:00:00Z"},
        {"nonce": 1764147600, "registration_id": other.id},
        {"nonce": 0.5, "registration_id": other.id},
        {"nonce": True, "registration_id": registration.id},
    ]
    response = send(path, {"event": "nonces", "device": "phone-9", "scans": scans})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["result"] for r in results] == ["error", "ok", "error", "error"]
    # Each answer echoes the nonce as sent, so the device can tell which queued scan it answers.
    assert [r["nonce"] for r in results] == [["q1"], 1764147600, 0.5, True]
    for bad in (results[0], results[2], results[3]):
        assert bad["error"]["code"] == "validation_error" and bad["error"]["fields"] == {"nonce": [FIELD_ERROR]}
    assert [(row.registration_id, row.nonce) for row in recorded()] == [(other.id, "1764147600")]
    assert registration.checked_in_at is None
