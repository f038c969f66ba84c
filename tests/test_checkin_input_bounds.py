"""Out-of-range numbers and times sent to the check-in API are answered with a clear error, never a
500, and one bad scan in a sync batch does not hold back the rest (QA findings)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn

HUGE = 9223372036854775808  # 2**63: one more than the largest database id


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_token):
    event = make_event(slug="mixer")
    first, second = make_registration(event), make_registration(event)
    token, _staff = make_token("operator")
    return event, first, second, token


def post(client, path, token, body):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})


def test_a_sync_batch_answers_out_of_range_values_on_their_own_lines(client, scene):
    event, first, second, token = scene
    code = codes.ticket_url(services.ticket_code(second))
    batch = {"event": "mixer", "scans": [
        {"nonce": "q-1", "registration_id": first.id},
        {"nonce": "q-2", "registration_id": HUGE},
        {"nonce": "q-3", "code": code, "client_at": "0001-01-01T00:00:00+14:00"},
        {"nonce": "q-4", "code": code, "client_at": "9999-12-31T23:59:59-14:00"},
        {"nonce": "q-5", "code": 5},
        {"nonce": "q-6", "code": code},
    ]}
    response = post(client, "/api/v1/checkin/sync", token, batch)
    assert response.status_code == 200
    lines = response.get_json()["results"]
    assert [line["result"] for line in lines] == ["ok", "error", "error", "error", "error", "ok"]
    assert lines[1]["error"]["fields"] == {"registration_id": ["Too large to be an id."]}
    assert lines[2]["error"]["fields"] == {"client_at": ["Not a valid time."]}
    assert lines[4]["error"]["fields"] == {"code": ["Must be text."]}
    assert len(db.session.scalars(select(CheckIn)).all()) == 2


def test_out_of_range_ids_and_cursors_get_a_422_or_404(client, scene):
    event, first, second, token = scene
    assert post(client, "/api/v1/checkin", token, {"event": "mixer", "registration_id": HUGE}).status_code == 422
    undo = post(client, "/api/v1/checkin/undo", token, {"registration_id": first.id, "reason": "x", "session_id": HUGE})
    assert undo.status_code == 422 and undo.get_json()["error"]["fields"] == {"session_id": ["Too large to be an id."]}
    assert post(client, "/api/v1/tickets/100000000000000000000/reissue", token, {}).status_code == 404
    counts = client.get("/api/v1/checkin/events/mixer/counts?since=0001-01-01T00:00:00%2B14:00",
                        headers={"Authorization": f"Bearer {token}"})
    assert counts.status_code == 422 and "since" in counts.get_json()["error"]["fields"]


def test_undo_says_what_is_wrong_with_its_input(client, scene, make_event, make_session):
    event, first, second, token = scene
    services.check_in_registration(event, first.id, staff=None)
    not_text = post(client, "/api/v1/checkin/undo", token, {"registration_id": first.id, "reason": 5})
    assert not_text.status_code == 422 and not_text.get_json()["error"]["fields"] == {"reason": ["Must be text."]}
    elsewhere = make_session(make_event())
    for session_id in (99999, elsewhere.id):
        response = post(client, "/api/v1/checkin/undo", token,
                        {"registration_id": first.id, "reason": "誤り", "session_id": session_id})
        assert response.status_code == 404
        assert response.get_json()["error"]["message"] == "No such session at this event."
