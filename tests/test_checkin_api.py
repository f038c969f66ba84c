"""POST /api/v1/checkin and friends: the stable interface, permissions, bad input, races."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_person, make_token):
    event = make_event(slug="mixer")
    person = make_person(name="田中 一郎", name_kana="タナカ イチロウ", company="株式会社ミライ",
                         former_department="石炭部", left_year=2016)
    registration = make_registration(event, person=person)
    token, staff = make_token("operator")
    return event, registration, token, services.ticket_code(registration)


def post(client, path, token, body):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_check_in_answers_result_registration_and_time(client, scene):
    event, registration, token, code = scene
    response = post(client, "/api/v1/checkin", token, {"code": codes.ticket_url(code), "event": "mixer"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "ok"
    assert body["registration"]["name"] == "田中 一郎"
    assert body["registration"]["name_kana"] == "タナカ イチロウ"
    assert body["registration"]["affiliation"] == "alumni"
    assert body["registration"]["company"] == "株式会社ミライ"
    assert body["registration"]["former_department"] == "石炭部" and body["registration"]["left_year"] == 2016
    assert body["checked_in_at"]


def test_second_scan_answers_already_checked_in_with_when_and_whom(client, scene):
    event, registration, token, code = scene
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    body = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"}).get_json()
    assert body["result"] == "already_checked_in"
    assert body["checked_in_at"] and body["checked_in_by"] == "Operator"


def test_the_result_message_follows_each_scans_language(client, scene):
    """Messages are translated once per language and process; each answer still reads in its own
    request's language (Accept-Language, ?lang=, the language cookie), Japanese by default."""
    _event, _registration, token, code = scene
    auth = {"Authorization": f"Bearer {token}"}
    body = {"code": code, "event": "mixer"}
    expected = [({}, "", "受付済み"), ({"Accept-Language": "en"}, "", "Already checked in"),
                ({}, "?lang=en", "Already checked in"), ({"Accept-Language": "en"}, "?lang=ja", "受付済み"),
                ({}, "", "受付済み")]
    client.post("/api/v1/checkin", json=body, headers=auth)  # admitted: every answer below is the same result
    for headers, query, message in expected:
        answer = client.post(f"/api/v1/checkin{query}", json=body, headers={**auth, **headers}).get_json()
        assert (answer["result"], answer["message"]) == ("already_checked_in", message), (headers, query)
    client.set_cookie("tsunagu_lang", "en")
    assert client.post("/api/v1/checkin", json=body, headers=auth).get_json()["message"] == "Already checked in"


def test_nonce_retry_answers_the_same(client, scene):
    event, registration, token, code = scene
    first = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer", "nonce": "abc"}).get_json()
    again = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer", "nonce": "abc"}).get_json()
    assert first["result"] == again["result"] == "ok" and again["replayed"]


def test_a_nonce_reused_for_another_ticket_is_refused_and_shows_no_one(client, scene, make_registration,
                                                                      make_person):
    event, registration, token, code = scene
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer", "nonce": "n-1"})
    other = make_registration(event, person=make_person(name="佐藤 花子"))
    reused = post(client, "/api/v1/checkin", token,
                  {"code": services.ticket_code(other), "event": "mixer", "nonce": "n-1"})
    assert reused.status_code == 409
    body = reused.get_json()
    assert body["error"]["code"] == "conflict" and "nonce" in body["error"]["fields"]
    assert "田中" not in reused.get_data(as_text=True)
    db.session.expire_all()
    assert other.checked_in_at is None
    # With a fresh nonce the person at the door is checked in as usual.
    fresh = post(client, "/api/v1/checkin", token,
                 {"code": services.ticket_code(other), "event": "mixer", "nonce": "n-2"}).get_json()
    assert fresh["result"] == "ok" and fresh["registration"]["name"] == "佐藤 花子"


def test_a_nonce_from_another_event_does_not_replay_its_check_in(client, scene, make_event, make_token):
    from events_app.auth.services import assign_staff

    event, registration, token, code = scene
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer", "nonce": "n-1"})
    elsewhere = make_event(slug="elsewhere")
    door_token, door_staff = make_token("checkin")
    assign_staff(elsewhere.id, door_staff.id)
    for garbage in ("garbage", code):
        response = post(client, "/api/v1/checkin", door_token, {"code": garbage, "event": "elsewhere", "nonce": "n-1"})
        assert response.status_code == 409, response.get_data(as_text=True)
        assert "田中" not in response.get_data(as_text=True) and "ミライ" not in response.get_data(as_text=True)


def test_changed_character_is_unknown_code(client, scene):
    event, registration, token, code = scene
    forged = code[:-1] + ("Q" if code[-1] != "Q" else "R")
    body = post(client, "/api/v1/checkin", token, {"code": forged, "event": "mixer"}).get_json()
    assert body["result"] == "unknown_code" and body["registration"] is None


@pytest.mark.parametrize("body, field", [
    ({"event": "mixer"}, "code"), ({"code": "X"}, "event"), ({"code": 5, "event": "mixer"}, "code"),
    ({"code": "X", "event": "mixer", "session_id": "abc"}, "session_id"),
])
def test_bad_input_is_422_naming_the_field(client, scene, body, field):
    event, registration, token, code = scene
    response = post(client, "/api/v1/checkin", token, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_non_json_body_is_400(client, scene):
    _, _, token, _ = scene
    response = client.post("/api/v1/checkin", data="code=x", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_request"


def test_unknown_event_is_404(client, scene):
    _, _, token, code = scene
    assert post(client, "/api/v1/checkin", token, {"code": code, "event": "nope"}).status_code == 404


def test_no_token_is_401(client, scene):
    response = client.post("/api/v1/checkin", json={"code": "x", "event": "mixer"})
    assert response.status_code == 401


@pytest.mark.parametrize("language, message", [("ja", "有効な Bearer トークンが必要です。"),
                                               ("en", "A valid bearer token is required.")])
def test_the_401_speaks_the_callers_language(client, scene, language, message):
    response = client.post("/api/v1/checkin", json={"code": "x", "event": "mixer"},
                           headers={"Authorization": "Bearer tsu_not-a-token", "Accept-Language": language})
    assert response.status_code == 401 and message in response.get_json()["error"]["message"]


def test_a_403_for_the_tokens_role_speaks_japanese_too(client, scene, make_token):
    token, _ = make_token("checkin")
    response = client.get("/api/v1/events/mixer/registrations",
                          headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"})
    assert response.status_code == 403 and response.get_json()["error"]["message"] == "この操作は権限がありません。"


def test_checkin_staff_not_assigned_to_the_event_is_403(client, scene, make_token):
    event, registration, _, code = scene
    token, staff = make_token("checkin")
    response = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalars(select(CheckIn)).all() == []


def test_checkin_staff_assigned_to_the_event_may_check_in(client, scene, make_token):
    from events_app.auth.services import assign_staff

    event, registration, _, code = scene
    token, staff = make_token("checkin")
    assign_staff(event.id, staff.id)
    assert post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"}).get_json()["result"] == "ok"


def test_undo_with_reason(client, scene):
    event, registration, token, code = scene
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    missing = post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id})
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    done = post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id, "reason": "誤操作"})
    assert done.status_code == 200 and done.get_json()["result"] == "undone"
    twice = post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id, "reason": "誤操作"})
    assert twice.status_code == 409


def test_undo_by_unassigned_checkin_staff_is_403(client, scene, make_token):
    event, registration, token, code = scene
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    other, _ = make_token("checkin")
    assert post(client, "/api/v1/checkin/undo", other, {"registration_id": registration.id,
                                                         "reason": "x"}).status_code == 403


def test_sync_replayed_twice_has_no_duplicates_and_reports_each_scan(client, scene, make_registration):
    event, registration, token, code = scene
    other = make_registration(event)
    batch = {"event": "mixer", "device": "phone-7", "scans": [
        {"nonce": "q1", "code": code, "client_at": "2026-11-26T09:00:00Z"},
        {"nonce": "q2", "registration_id": other.id, "client_at": 1764147600000},
        {"nonce": "q3", "code": "garbage"},
        {"code": code},
        {"nonce": "q5", "code": code, "client_at": "yesterday"},
    ]}
    first = post(client, "/api/v1/checkin/sync", token, batch).get_json()
    second = post(client, "/api/v1/checkin/sync", token, batch).get_json()
    assert [r["result"] for r in first["results"]] == ["ok", "ok", "unknown_code", "error", "error"]
    assert [r["result"] for r in second["results"]] == ["ok", "ok", "unknown_code", "error", "error"]
    assert first["results"][4]["error"]["fields"] == {"client_at": ["Not a valid time."]} or \
        "client_at" in first["results"][4]["error"]["fields"]
    assert len(db.session.scalars(select(CheckIn)).all()) == 2
    assert second["counts"]["in_person"]["checked_in"] == 2


def test_counts_search_and_offline_for_the_scanner(client, scene):
    event, registration, token, code = scene
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/checkin/events/mixer/counts", headers=headers).get_json()["in_person"] == \
        {"checked_in": 0, "expected": 1}
    found = client.get("/api/v1/checkin/events/mixer/search?q=たなか", headers=headers).get_json()["results"]
    assert [r["id"] for r in found] == [registration.id]
    offline = client.get("/api/v1/checkin/events/mixer/offline", headers=headers).get_json()
    assert offline["attendees"][0]["codes"] == [codes.code_hash(code)]


def test_reissue_is_for_operators_and_revokes_the_old_code(client, scene, make_token):
    event, registration, token, code = scene
    checkin_token, _ = make_token("checkin")
    assert post(client, f"/api/v1/tickets/{registration.id}/reissue", checkin_token, {}).status_code == 403
    reissued = post(client, f"/api/v1/tickets/{registration.id}/reissue", token, {"reason": "紛失"})
    assert reissued.status_code == 200
    body = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"}).get_json()
    assert body["result"] == "revoked"
    new = post(client, "/api/v1/checkin", token, {"code": reissued.get_json()["ticket_url"], "event": "mixer"})
    assert new.get_json()["result"] == "ok"


def test_openapi_documents_the_check_in_operations(client, db_backend):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/checkin"] and "post" in paths["/checkin/undo"] and "post" in paths["/checkin/sync"]


def test_concurrent_scans_of_one_ticket_admit_exactly_once(app, scene):
    """Eight staff scan the same ticket at the same instant: one ok, seven already_checked_in.

    On PostgreSQL this proves the row lock; on SQLite, that BEGIN IMMEDIATE serialises writers.
    """
    event, registration, token, code = scene
    event_id, staff_ids = event.id, []
    from events_app.auth.models import StaffUser
    from events_app.events.models import Event

    staff_ids = [s.id for s in db.session.scalars(select(StaffUser))]
    barrier = threading.Barrier(8)
    results, errors = [], []

    def scan(i):
        with app.app_context():
            try:
                ev = db.session.get(Event, event_id)
                staff = db.session.get(StaffUser, staff_ids[0])
                barrier.wait(timeout=10)
                results.append(services.check_in_code(ev, code, staff=staff, nonce=f"race-{i}").result.value)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    db.session.rollback()  # end this thread's read snapshot before counting
    assert sorted(results) == ["already_checked_in"] * 7 + ["ok"]
    assert len(db.session.scalars(select(CheckIn).where(CheckIn.kind == "check_in")).all()) == 1


def test_concurrent_offline_syncs_of_one_batch_add_each_scan_once(app, scene, make_registration):
    event, registration, token, code = scene
    others = [make_registration(event) for _ in range(5)]
    scans = [{"nonce": f"off-{r.id}", "registration_id": r.id} for r in others] + [{"nonce": "off-c", "code": code}]
    event_id = event.id
    from events_app.auth.models import StaffUser
    from events_app.events.models import Event

    staff_id = db.session.scalars(select(StaffUser)).first().id
    barrier = threading.Barrier(4)
    errors = []

    def replay():
        with app.app_context():
            try:
                ev, staff = db.session.get(Event, event_id), db.session.get(StaffUser, staff_id)
                barrier.wait(timeout=10)
                services.sync_offline(ev, [dict(s) for s in scans], staff=staff, device="x")
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=replay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    db.session.rollback()
    rows = db.session.scalars(select(CheckIn)).all()
    assert len(rows) == 6 and not any(r.conflict for r in rows)


def test_a_ticket_for_another_event_is_wrong_event_naming_it(client, scene, make_event, make_registration):
    other = make_event(slug="other-night", title="別の夜")
    foreign = services.ticket_code(make_registration(other))
    _, _, token, _ = scene
    body = post(client, "/api/v1/checkin", token, {"code": foreign, "event": "mixer"}).get_json()
    assert body["result"] == "wrong_event" and body["other_event"]["title"] == "別の夜"
    assert body["registration"] is None  # whose ticket it is stays unsaid


def test_an_unknown_event_is_404_whatever_the_code(client, scene):
    _, _, token, code = scene
    for scanned in (code, "not-a-ticket", codes.ticket_url(code)):
        response = post(client, "/api/v1/checkin", token, {"code": scanned, "event": "nope"})
        assert response.status_code == 404, scanned


def test_a_deactivated_staff_members_token_is_401(client, scene):
    _, _, token, code = scene
    from events_app.auth.models import StaffUser

    for user in db.session.scalars(select(StaffUser)):
        user.is_active_account = False
    db.session.commit()
    response = post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    assert response.status_code == 401
    assert db.session.scalars(select(CheckIn)).all() == []


def test_counts_since_a_cursor_bring_the_check_in_state_changed_since(client, scene, make_registration):
    from datetime import timedelta

    from events_app.database import utcnow
    event, registration, token, code = scene
    untouched = make_registration(event)
    for row in (registration, untouched):
        row.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    cursor = client.get("/api/v1/checkin/events/mixer/offline",
                        headers={"Authorization": f"Bearer {token}"}).get_json()["generated_at"]
    plain = client.get("/api/v1/checkin/events/mixer/counts", headers={"Authorization": f"Bearer {token}"})
    assert "changes" not in plain.get_json()  # the stable answer is unchanged without ?since
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer"})
    body = client.get("/api/v1/checkin/events/mixer/counts", query_string={"since": cursor},
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["in_person"]["checked_in"] == 1 and body["cursor"]
    assert [c["id"] for c in body["changes"]] == [registration.id]
    assert body["changes"][0]["checked_in_at"] and body["changes"][0]["checked_in_by"] == "Operator"


def test_counts_since_something_not_a_time_is_422(client, scene):
    event, registration, token, code = scene
    response = client.get("/api/v1/checkin/events/mixer/counts?since=yesterday",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and "since" in response.get_json()["error"]["fields"]


def test_counts_polled_since_a_cursor_follow_a_table_check_in_and_its_undo(client, scene, make_session):
    """Another device's poll sees the table's figure move, though no registration row changed."""
    from events_app.registration.models import RegistrationSession

    event, registration, token, code = scene
    table = make_session(event, title="A卓")
    db.session.add(RegistrationSession(registration_id=registration.id, session_id=table.id, status="confirmed"))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def poll(since):
        return client.get("/api/v1/checkin/events/mixer/counts", query_string={"since": since},
                          headers=headers).get_json()

    before = poll(client.get("/api/v1/checkin/events/mixer/offline", headers=headers).get_json()["generated_at"])
    assert before["sessions"] == [{"id": table.id, "title": "A卓", "display_title": "A卓", "room": "",
                                   "checked_in": 0, "expected": 1}]
    post(client, "/api/v1/checkin", token, {"code": code, "event": "mixer", "session_id": table.id})
    after = poll(before["cursor"])
    assert after["sessions"][0]["checked_in"] == 1 and after["in_person"]["checked_in"] == 0
    post(client, "/api/v1/checkin/undo", token, {"registration_id": registration.id, "reason": "別の卓",
                                                  "session_id": table.id})
    assert poll(after["cursor"])["sessions"][0]["checked_in"] == 0


def test_counts_of_an_event_without_tables_keep_their_fields_and_list_no_sessions(client, scene):
    event, registration, token, code = scene
    body = client.get("/api/v1/checkin/events/mixer/counts", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert set(body) == {"in_person", "online", "walk_ins", "conflicts", "sessions"} and body["sessions"] == []
