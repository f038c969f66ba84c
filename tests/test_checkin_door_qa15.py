"""The door screen's JSON endpoints (/checkin/<slug>/api/*) as QA found them: a session that
ended or a stale CSRF token answered an HTML-ish 400 the screen could not act on, a typed code
of the wrong type was refused on the wrong field, and search ignored the table chosen."""
from __future__ import annotations

import re

import pytest

from events_app.extensions import db
from events_app.registration.models import RegistrationSession
from events_app.tickets import services
from tests.conftest import STAFF_PASSWORD


@pytest.fixture
def door(db_backend, make_event, make_registration, make_person, make_staff):
    from events_app.auth.services import assign_staff

    event = make_event(slug="door-qa15")
    registration = make_registration(event, person=make_person(name="高橋 直子", name_kana="タカハシ ナオコ"))
    staff = make_staff("checkin", name="受付 花子")
    assign_staff(event.id, staff.id)
    db.session.commit()
    return event, registration, staff


def sign_in_with_csrf(app, staff):
    """A test client signed in through the real form with CSRF on, and the door page's token."""
    app.config["WTF_CSRF_ENABLED"] = True  # read per request by Flask-WTF
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/login", data={"email": staff.email, "password": STAFF_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return client


SYNC = {"device": "d1", "scans": [{"nonce": "n-1", "registration_id": 1, "client_at": "2026-12-07T10:00:00Z"}]}


@pytest.mark.parametrize("accept", [None, "application/json", "text/html"])
def test_a_door_post_without_a_session_answers_json_401_sign_in_again(app, door, accept):
    event, _registration, _staff = door
    app.config["WTF_CSRF_ENABLED"] = True
    headers = {"Accept": accept} if accept else {}
    response = app.test_client().post(f"/checkin/{event.slug}/api/sync", json=SYNC, headers=headers)
    assert response.status_code == 401
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] == "ログインの有効期限が切れました。もう一度ログインしてください。"


def test_a_door_post_with_a_stale_csrf_token_answers_json_400_saying_reload_or_sign_in(app, door):
    event, _registration, staff = door
    client = sign_in_with_csrf(app, staff)
    response = client.post(f"/checkin/{event.slug}/api/scan", json={"code": "X"},
                           headers={"X-CSRFToken": "stale-token"})
    assert response.status_code == 400 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "csrf_failed" and "再読み込み" in error["message"] and "ログイン" in error["message"]


def test_the_session_message_follows_the_readers_language(app, door):
    event, _registration, _staff = door
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post(f"/checkin/{event.slug}/api/sync", json=SYNC,
                                      headers={"Accept-Language": "en"})
    assert response.get_json()["error"]["message"] == "Your sign-in has ended: sign in again."


def test_a_door_get_without_a_session_answers_json_401(client, door):
    event, _registration, _staff = door
    response = client.get(f"/checkin/{event.slug}/api/counts")
    assert response.status_code == 401
    assert response.get_json()["error"] == {"code": "unauthorized",
                                            "message": "ログインの有効期限が切れました。もう一度ログインしてください。"}


def test_other_pages_still_answer_a_missing_csrf_token_with_a_page(app, door):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/login", data={"email": "x@example.jp", "password": "x"})
    assert response.status_code == 400 and not response.is_json


@pytest.mark.parametrize("body", [{"code": 123}, {"code": ["A"]}])
def test_the_door_check_in_answers_a_code_of_the_wrong_type_like_the_api(client, login, door, make_token, body):
    event, _registration, staff = door
    token, _operator = make_token("operator")
    api = client.post("/api/v1/checkin", json={**body, "event": event.slug},
                      headers={"Authorization": f"Bearer {token}"})
    login(staff)
    door_answer = client.post(f"/checkin/{event.slug}/api/checkin", json=body)
    assert door_answer.status_code == api.status_code == 422
    assert door_answer.get_json() == api.get_json()
    assert list(door_answer.get_json()["error"]["fields"]) == ["code"]


def test_the_door_check_in_by_registration_id_still_checks_in_from_search(client, login, door):
    event, registration, staff = door
    login(staff)
    answer = client.post(f"/checkin/{event.slug}/api/checkin", json={"registration_id": registration.id})
    assert answer.status_code == 200 and answer.get_json()["result"] == "ok"


def test_search_for_a_table_gives_each_persons_state_at_that_table(client, login, door, make_session,
                                                                   make_registration, make_person):
    event, booked, staff = door
    table = make_session(event, title="A卓")
    not_booked = make_registration(event, person=make_person(name="高橋 一郎", name_kana="タカハシ イチロウ"))
    db.session.add(RegistrationSession(registration_id=booked.id, session_id=table.id, status="confirmed"))
    db.session.commit()
    services.check_in_registration(event, booked.id, staff=staff, session_id=table.id)
    db.session.commit()
    login(staff)
    results = client.get(f"/checkin/{event.slug}/api/search?q=たかはし&session_id={table.id}").get_json()["results"]
    by_id = {r["id"]: r for r in results}
    assert by_id[booked.id]["checked_in_at"] is None  # not at the entrance
    assert by_id[booked.id]["session"]["booked"] is True and by_id[booked.id]["session"]["checked_in_at"]
    assert by_id[not_booked.id]["session"] == {"id": table.id, "booked": False, "checked_in_at": None}
    entrance = client.get(f"/checkin/{event.slug}/api/search?q=たかはし").get_json()["results"]
    assert all("session" not in r for r in entrance)
