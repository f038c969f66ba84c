"""POST /api/v1/registrations/<id>/attendance: operators switch a hybrid event's registration between
in person and online over the JSON API (Flask test client, the real switch service)."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from events_app.enums import AttendanceMode, RegistrationStatus
from events_app.registration import services
from tests.switch_support import counters, hybrid_fields, mails, register, reload, switch_audits

SWITCH_MAIL = "registration_attendance_switched"


@pytest.fixture
def auth(make_token) -> dict:
    token, _user = make_token("operator")
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def switch(client, registration_id: int, headers: dict, **body):
    return client.post(f"/api/v1/registrations/{registration_id}/attendance", json=body, headers=headers)


def snapshot(event_id: int, registration_id: int) -> tuple:
    """Everything a refused switch must leave as it was: counters, the registration, mail, audit."""
    reg = reload(registration_id)
    return (counters(event_id), reg.status, reg.attendance_mode, reg.holds_seat, reg.waitlist_rank,
            len(mails(SWITCH_MAIL)), len(switch_audits()))


def error_of(response) -> dict:
    return response.get_json()["error"]


# --- switching ----------------------------------------------------------------------------

def test_switch_to_online_answers_the_registration_and_moves_the_seat(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields(capacity=5, online_capacity=3))
    registration_id, _token = register(event, 1)
    assert counters(event.id) == (1, 0)

    response = switch(client, registration_id, auth, attendance="online")

    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (data["id"], data["status"], data["attendance"], data["waitlist_position"]) == (
        registration_id, "confirmed", "online", None)
    assert (data["outcome"], data["promoted"], data["event"]) == ("confirmed", 0, event.slug)
    assert counters(event.id) == (0, 1)
    [told] = mails(SWITCH_MAIL)
    assert told.registration_id == registration_id and told.payload["by_staff"] is True
    [audit] = switch_audits()
    assert audit.actor_id is not None


def test_the_seat_given_back_goes_to_the_next_in_line(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=3))
    leaving, _ = register(event, 1)
    waiting, _ = register(event, 2)
    assert reload(waiting).status == RegistrationStatus.WAITLISTED

    data = switch(client, leaving, auth, attendance="online").get_json()

    assert (data["attendance"], data["status"], data["promoted"]) == ("online", "confirmed", 1)
    assert reload(waiting).status == RegistrationStatus.CONFIRMED
    assert counters(event.id) == (1, 1)


def test_a_waitlisted_registration_may_join_the_other_waitlist(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=1))
    register(event, 1)
    register(event, 2, "online")
    waiting, _ = register(event, 3)

    data = switch(client, waiting, auth, attendance="online", join_waitlist=True).get_json()

    assert (data["status"], data["attendance"], data["outcome"], data["waitlist_position"]) == (
        "waitlisted", "online", "waitlisted", 1)
    assert counters(event.id) == (1, 1)


# --- refusals: a clear code and message, nothing changed -----------------------------------

def test_a_full_side_answers_409_event_full_and_changes_nothing(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=1))
    in_person, _ = register(event, 1)
    register(event, 2, "online")
    before = snapshot(event.id, in_person)

    response = switch(client, in_person, auth, attendance="online")

    assert response.status_code == 409
    assert error_of(response)["code"] == "event_full"
    assert "Online places are full, so nothing was changed" in error_of(response)["message"]
    assert snapshot(event.id, in_person) == before
    assert reload(in_person).attendance_mode == AttendanceMode.IN_PERSON


def test_the_mode_it_already_has_answers_409_already_attending(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    before = snapshot(event.id, registration_id)

    response = switch(client, registration_id, auth, attendance="in_person")

    assert response.status_code == 409
    assert error_of(response) == {"code": "already_attending",
                                  "message": "Already attending in person: nothing changed."}
    assert snapshot(event.id, registration_id) == before


def test_an_event_that_is_not_hybrid_answers_409_invalid_state(client, db_backend, make_event, make_registration,
                                                               auth):
    event = make_event()  # networking: in person only
    registration = make_registration(event)
    before = snapshot(event.id, registration.id)

    response = switch(client, registration.id, auth, attendance="online")

    assert response.status_code == 409
    assert error_of(response) == {"code": "invalid_state", "message": "This event can only be attended in person."}
    assert snapshot(event.id, registration.id) == before


def test_a_cancelled_registration_answers_409_invalid_state(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    services.cancel(reload(registration_id), actor=None, reason="")
    before = snapshot(event.id, registration_id)

    response = switch(client, registration_id, auth, attendance="online")

    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_state"
    assert "cancelled" in error_of(response)["message"]
    assert snapshot(event.id, registration_id) == before


@pytest.mark.parametrize("body", [{"attendance": "venue"}, {"attendance": ""}, {"attendance": 1},
                                  {"attendance": None}, {"attendance": ["online"]}, {}],
                         ids=["unknown", "empty", "number", "null", "list", "missing"])
def test_a_bad_attendance_answers_422_naming_the_field(client, db_backend, make_event, auth, body):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    before = snapshot(event.id, registration_id)

    response = switch(client, registration_id, auth, **body)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["fields"]["attendance"] == ["Choose whether you will attend in person or online."]
    assert snapshot(event.id, registration_id) == before


def test_join_waitlist_must_be_true_or_false(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    before = snapshot(event.id, registration_id)

    response = switch(client, registration_id, auth, attendance="online", join_waitlist="yes")

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"join_waitlist": ["Use true or false."]}
    assert snapshot(event.id, registration_id) == before


def test_a_body_that_is_not_json_answers_400(client, db_backend, make_event, auth):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    before = snapshot(event.id, registration_id)

    response = client.post(f"/api/v1/registrations/{registration_id}/attendance", data=b"attendance=online",
                           content_type="application/json", headers=auth)

    assert response.status_code == 400 and error_of(response)["code"] == "malformed_request"
    assert snapshot(event.id, registration_id) == before


def test_an_unknown_registration_answers_404(client, db_backend, auth):
    response = switch(client, 999999, auth, attendance="online")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "We could not find that registration."}


@pytest.mark.parametrize(("role", "status", "code"), [(None, 401, "unauthorized"), ("checkin", 403, "forbidden")])
def test_only_operators_and_admins_may_switch(client, db_backend, make_event, make_token, role, status, code):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    before = snapshot(event.id, registration_id)
    headers = {"Accept-Language": "en"}
    if role:
        headers["Authorization"] = f"Bearer {make_token(role)[0]}"

    response = switch(client, registration_id, headers, attendance="online")

    assert response.status_code == status and error_of(response)["code"] == code
    assert snapshot(event.id, registration_id) == before


def test_an_admin_may_switch(client, db_backend, make_event, make_token):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    token, _user = make_token("admin")
    response = switch(client, registration_id, {"Authorization": f"Bearer {token}"}, attendance="online")
    assert response.status_code == 200 and response.get_json()["attendance"] == "online"


def test_refusals_are_translated_for_japanese_clients(client, db_backend, make_event, make_token):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    token, _user = make_token("operator")
    response = switch(client, registration_id, {"Authorization": f"Bearer {token}", "Accept-Language": "ja"},
                      attendance="in_person")
    assert response.status_code == 409
    assert error_of(response)["message"] == "参加方法はすでに会場参加になっています。変更はありません。"


def test_the_switch_is_in_the_openapi_document(client, db_backend):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    operation = document["paths"]["/registrations/{registration_id}/attendance"]["post"]
    assert operation["operationId"] == "switchRegistrationAttendance"
    assert {"200", "404", "409", "422"} <= set(operation["responses"])
