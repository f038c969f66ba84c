"""Loose ends of the check-in API (QA, issue 4): a body over the size limit and a search query too
long get JSON answers that say the limit, a revoked token says it was revoked, and a nonce replayed
after its admission was undone says so instead of showing the person checked in."""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from events_app.auth.models import ApiToken
from events_app.auth.services import revoke_token
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.api import MAX_BATCH, MAX_QUERY

OVER_ONE_MB = 1024 * 1024 + 1


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_token):
    event = make_event(slug="mixer")
    registration = make_registration(event)
    token, staff = make_token("operator")
    return event, registration, token, staff


def bearer(token, language="en"):
    return {"Authorization": f"Bearer {token}", "Accept-Language": language}


def post(client, path, token, body):
    return client.post(path, json=body, headers=bearer(token))


def huge_sync_body() -> bytes:
    """A real JSON body just over 1 MB: one scan with a long device label."""
    body = json.dumps({"event": "mixer", "device": "", "scans": [{"nonce": "n-1", "code": "x"}]})
    return body.replace('"device": ""', '"device": "' + "d" * OVER_ONE_MB + '"').encode()


# --- 1. a body over MAX_CONTENT_LENGTH ---------------------------------------------------

def test_a_sync_body_over_the_limit_says_the_limit_and_the_batch_size(client, scene):
    _, _, token, _ = scene
    response = client.post("/api/v1/checkin/sync", data=huge_sync_body(), content_type="application/json",
                           headers=bearer(token))
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "too_large",
        "message": f"The request is too large: send at most 1 MB, and at most {MAX_BATCH} scans per batch."}


def test_the_door_pages_sync_says_it_too_in_the_staff_language(client, scene, login):
    _, _, _, staff = scene
    login(staff)
    response = client.post("/checkin/mixer/api/sync", data=huge_sync_body(), content_type="application/json",
                           headers={"Accept-Language": "ja"})
    assert response.status_code == 413
    assert response.get_json()["error"] == {
        "code": "too_large", "message": "リクエストが大きすぎます。1 MB 以内、一度に 500 件までに分けて送信してください。"}


@pytest.mark.parametrize("path", ["/api/v1/checkin", "/api/v1/checkin/undo"])
def test_any_other_api_body_over_the_limit_says_the_limit(client, scene, path):
    _, _, token, _ = scene
    response = client.post(path, data=b'{"code": "' + b"x" * OVER_ONE_MB + b'"}', content_type="application/json",
                           headers=bearer(token))
    assert response.status_code == 413
    assert response.get_json()["error"] == {"code": "too_large",
                                            "message": "The request is too large: send at most 1 MB."}


def test_the_doors_own_batches_stay_far_below_the_limit(app, db_backend):
    # checkin-sync.js sends 200 scans a request; even MAX_BATCH scans with every field at its
    # longest (nonce 100, device 100, a full ticket URL) are a fraction of MAX_CONTENT_LENGTH.
    url = codes.ticket_url("A" * 40)
    scan = {"nonce": "n" * 100, "code": url, "registration_id": 2**63 - 1,
            "client_at": "2026-12-07T19:00:00.000Z", "device": "d" * 100}
    batch = json.dumps({"event": "e" * 100, "device": "d" * 100, "scans": [scan] * MAX_BATCH}).encode()
    assert len(batch) < app.config["MAX_CONTENT_LENGTH"] / 4


# --- 2. the search query's length ------------------------------------------------------------

def search_api(client, token, query):
    return client.get("/api/v1/checkin/events/mixer/search", query_string={"q": query}, headers=bearer(token))


def test_a_search_longer_than_the_limit_is_422_naming_q(client, scene):
    _, _, token, _ = scene
    response = search_api(client, token, "a" * (MAX_QUERY + 1))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "The search is too long: use at most 200 characters."
    assert error["fields"] == {"q": ["At most 200 characters."]}


def test_the_limit_counts_the_query_as_search_reads_it(client, scene):
    _, registration, token, _ = scene
    # Spaces around it are stripped, and full-width letters are one character each after NFKC.
    padded = "\u3000 " + registration.person.email + "x" * (MAX_QUERY - len(registration.person.email)) + "  "
    assert search_api(client, token, padded).status_code == 200
    # NFKC turns "㍿" into four characters (株式会社): 50 of them are 200, 51 are too many.
    assert search_api(client, token, "㍿" * 50).status_code == 200
    assert search_api(client, token, "㍿" * 51).status_code == 422


def test_the_door_pages_search_refuses_a_long_query_in_japanese(client, scene, login):
    _, _, _, staff = scene
    login(staff)
    response = client.get("/checkin/mixer/api/search", query_string={"q": "あ" * 5000},
                          headers={"Accept-Language": "ja"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"q": ["200 文字以内で入力してください。"]}


def test_the_door_pages_search_input_takes_at_most_200_characters(client, scene, login):
    _, _, _, staff = scene
    login(staff)
    page = client.get("/checkin/mixer").get_data(as_text=True)
    search_input = next(tag for tag in page.split("<input")[1:] if 'id="search-input"' in tag)
    assert f'maxlength="{MAX_QUERY}"' in search_input.split(">")[0]


# --- 3. a revoked token -------------------------------------------------------------------

def revoke(staff):
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == staff.id))
    revoke_token(staff, token_id)
    return db.session.get(ApiToken, token_id).revoked_at


def tokyo_date(moment, language: str) -> str:
    day = moment.astimezone(ZoneInfo("Asia/Tokyo"))
    if language == "ja":
        return f"{day:%Y/%m/%d} ({'月火水木金土日'[day.weekday()]})"
    return f"{day:%a}, {day.day} {day:%b %Y}"


@pytest.mark.parametrize("language, message", [
    ("en", "This API token was revoked on {date}. Ask an administrator for a new token."),
    ("ja", "この API トークンは {date} に無効化されました。新しいトークンの発行を管理者にご依頼ください。"),
])
def test_a_revoked_token_is_told_when_and_what_to_do(client, scene, language, message):
    _, _, token, staff = scene
    revoked_at = revoke(staff)
    response = client.get("/api/v1/checkin/events/mixer/counts", headers=bearer(token, language))
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert response.get_json()["error"]["message"] == message.format(date=tokyo_date(revoked_at, language))


def test_an_unknown_token_keeps_the_generic_401(client, scene):
    response = client.get("/api/v1/checkin/events/mixer/counts", headers=bearer("tsu_never-issued"))
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "A valid bearer token is required."


# --- 4. a nonce replayed after its admission was undone ----------------------------------------

def undo(client, token, registration, **extra):
    response = post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id, "reason": "誤り", **extra})
    assert response.status_code == 200, response.get_json()


def test_a_nonce_replayed_after_its_admission_was_undone_says_so(client, scene):
    _, registration, token, _ = scene
    scan = {"code": services.ticket_code(registration), "event": "mixer", "nonce": "door-1"}
    first = post(client, "/api/v1/checkin", token, scan).get_json()
    assert first["result"] == "ok" and first["undone"] is False
    undo(client, token, registration)
    again = post(client, "/api/v1/checkin", token, scan).get_json()
    assert (again["result"], again["replayed"], again["undone"]) == ("ok", True, True)
    assert again["checked_in_at"] is None and again["checked_in_by"] is None
    assert again["history_id"] == first["history_id"]


def test_a_plain_retry_is_not_undone(client, scene):
    _, registration, token, _ = scene
    scan = {"registration_id": registration.id, "event": "mixer", "nonce": "door-2"}
    first = post(client, "/api/v1/checkin", token, scan).get_json()
    again = post(client, "/api/v1/checkin", token, scan).get_json()
    assert (again["replayed"], again["undone"]) == (True, False)
    assert again["checked_in_at"] == first["checked_in_at"]


def test_a_replay_after_undo_and_a_new_check_in_gives_the_new_one(client, scene, make_token):
    _, registration, token, _ = scene
    other_token, _other = make_token("operator")
    scan = {"registration_id": registration.id, "event": "mixer", "nonce": "door-3"}
    post(client, "/api/v1/checkin", token, scan)
    undo(client, token, registration)
    later = post(client, "/api/v1/checkin", other_token, {**scan, "nonce": "door-4"}).get_json()
    again = post(client, "/api/v1/checkin", token, scan).get_json()
    assert again["undone"] is True
    assert (again["checked_in_at"], again["checked_in_by"]) == (later["checked_in_at"], later["checked_in_by"])


def test_a_resynced_offline_admission_undone_since_says_so(client, scene):
    _, registration, token, _ = scene
    batch = {"event": "mixer", "scans": [{"nonce": "queue-1", "code": codes.ticket_url(services.ticket_code(registration)),
                                          "client_at": "2030-01-01T00:00:00Z"}]}
    assert post(client, "/api/v1/checkin/sync", token, batch).get_json()["results"][0]["undone"] is False
    undo(client, token, registration)
    line = post(client, "/api/v1/checkin/sync", token, batch).get_json()["results"][0]
    assert (line["result"], line["replayed"], line["undone"], line["checked_in_at"]) == ("ok", True, True, None)


def test_a_table_admission_undone_since_says_so(client, scene, make_session):
    event, registration, token, _ = scene
    table = make_session(event)
    from events_app.registration.models import RegistrationSession

    db.session.add(RegistrationSession(registration_id=registration.id, session_id=table.id))
    db.session.commit()
    scan = {"registration_id": registration.id, "event": "mixer", "nonce": "table-1", "session_id": table.id}
    assert post(client, "/api/v1/checkin", token, scan).get_json()["result"] == "ok"
    undo(client, token, registration, session_id=table.id)
    again = post(client, "/api/v1/checkin", token, scan).get_json()
    assert (again["result"], again["undone"], again["checked_in_at"], again["checked_in_by"]) == ("ok", True, None, None)


def test_the_openapi_document_lists_undone(client, db_backend):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    answer = paths["/checkin"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert answer["undone"]["type"] == "boolean"
    assert "413" in paths["/checkin/sync"]["post"]["responses"]
    assert "422" in paths["/checkin/events/{slug}/search"]["get"]["responses"]
