"""Messages to an event's registrants over the JSON API: preview, send once per idempotency key,
history with the outbox's progress, refusals and who may (Flask test client, real services)."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from events_app.enums import OutboxStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from tests.messages_support import queued_count, queued_registration_ids, sent_messages

EN = {"Accept-Language": "en"}


@pytest.fixture
def auth(make_token) -> dict:
    token, _user = make_token("operator")
    return {"Authorization": f"Bearer {token}", **EN}


def message(**fields) -> dict:
    data = {"subject": "会場変更のお知らせ", "body": "会場が12階に変わりました。", "idempotency_key": "venue-moved-1"}
    data.update(fields)
    return data


def send(client, event, headers, **fields):
    return client.post(f"/api/v1/events/{event.slug}/messages", json=message(**fields), headers=headers)


def preview(client, event, headers, **fields):
    return client.post(f"/api/v1/events/{event.slug}/messages/preview", json=message(**fields), headers=headers)


def nothing_sent() -> bool:
    return queued_count() == 0 and sent_messages() == []


# --- sending ------------------------------------------------------------------------------

def test_send_answers_201_and_queues_one_outbox_mail_per_recipient(client, db_backend, message_mixer, auth):
    event, people = message_mixer

    response = send(client, event, auth)

    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    [stored] = sent_messages()
    assert (data["id"], data["recipient_count"], data["status"]) == (stored.id, 3, "waiting")
    assert (data["waiting"], data["delivered"], data["not_delivered"]) == (3, 0, 0)
    assert data["recipients"]["statuses"] == ["confirmed"]
    assert queued_registration_ids() == {people[name].id for name in ("hanako", "taro", "kate")}
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "registrant_message")).all()
    assert {r.status for r in rows} == {OutboxStatus.QUEUED}
    assert {r.payload["registrant_message_id"] for r in rows} == {stored.id}
    assert {r.language for r in rows} == {"ja", "en"}


def test_the_same_idempotency_key_answers_the_first_send_and_sends_nothing_more(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    first = send(client, event, auth)

    again = send(client, event, auth)
    changed_text = send(client, event, auth, subject="別の件名")

    assert first.status_code == 201 and again.status_code == 200 and changed_text.status_code == 200
    assert again.get_json() == first.get_json() == changed_text.get_json()
    assert len(sent_messages()) == 1 and queued_count() == 3
    assert sent_messages()[0].subject == "会場変更のお知らせ"


def test_a_new_key_sends_a_new_message(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    first = send(client, event, auth).get_json()
    second = send(client, event, auth, idempotency_key="venue-moved-2", statuses=["waitlisted"])
    assert second.status_code == 201
    assert second.get_json()["id"] != first["id"] and second.get_json()["recipient_count"] == 1
    assert queued_count() == 4


def test_recipient_filters_choose_whom_it_goes_to(client, db_backend, message_mixer, auth):
    event, people = message_mixer
    data = send(client, event, auth, statuses=["confirmed", "waitlisted"], affiliation="alumni",
                attendance="in_person").get_json()
    assert data["recipient_count"] == 4
    assert data["recipients"] == {"statuses": ["confirmed", "waitlisted"], "attendance": "in_person",
                                  "affiliation": "alumni", "session": None, "attended": None}
    assert people["gone"].id not in queued_registration_ids()


# --- preview ------------------------------------------------------------------------------

def test_preview_counts_by_language_and_sends_nothing(client, db_backend, message_mixer, auth):
    event, _people = message_mixer

    response = preview(client, event, auth, subject_en="The venue moved", body_en="We are on the 12th floor now.")

    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert (data["count"], data["count_by_language"]) == (3, {"ja": 2, "en": 1})
    assert [m["language"] for m in data["mails"]] == ["ja", "en"]
    assert "会場変更のお知らせ" in data["mails"][0]["subject"] and "The venue moved" in data["mails"][1]["subject"]
    assert "12th floor" in data["mails"][1]["text"]
    assert nothing_sent()


@pytest.mark.parametrize("statuses", [["confirmed"], ["waitlisted"], ["confirmed", "waitlisted"]])
def test_the_preview_count_is_what_a_send_reaches(client, db_backend, message_mixer, auth, statuses):
    event, _people = message_mixer
    counted = preview(client, event, auth, statuses=statuses).get_json()["count"]
    assert send(client, event, auth, statuses=statuses).get_json()["recipient_count"] == counted
    assert queued_count() == counted


# --- history ------------------------------------------------------------------------------

def test_history_lists_each_message_with_delivered_waiting_and_not_delivered(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    first = send(client, event, auth).get_json()
    second = send(client, event, auth, idempotency_key="slides", subject="資料", body="資料を公開しました。").get_json()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "registrant_message",
                                                          OutboxMessage.payload["registrant_message_id"].as_integer()
                                                          == first["id"]).order_by(OutboxMessage.id)).all()
    rows[0].status, rows[1].status, rows[2].status = OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED
    db.session.commit()

    response = client.get(f"/api/v1/events/{event.slug}/messages", headers=auth)

    assert response.status_code == 200
    data = response.get_json()
    assert (data["event"], data["count"]) == (event.slug, 2)
    newest, oldest = data["messages"]
    assert (newest["id"], newest["status"], newest["waiting"]) == (second["id"], "waiting", 3)
    assert (oldest["id"], oldest["subject"], oldest["sent_by"]) == (first["id"], "会場変更のお知らせ",
                                                                    first["sent_by"])
    assert (oldest["delivered"], oldest["waiting"], oldest["not_delivered"], oldest["status"]) == (
        2, 0, 1, "not_delivered")


def test_history_of_an_event_without_messages_is_empty(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    assert client.get(f"/api/v1/events/{event.slug}/messages", headers=auth).get_json() == {
        "event": event.slug, "count": 0, "messages": []}


# --- refusals: the field named, nothing recorded or queued ---------------------------------

@pytest.mark.parametrize("endpoint", ["messages", "messages/preview"])
def test_an_empty_subject_and_body_answer_422_naming_both(client, db_backend, message_mixer, auth, endpoint):
    event, _people = message_mixer
    response = client.post(f"/api/v1/events/{event.slug}/{endpoint}", json=message(subject="  ", body="\n"),
                           headers=auth)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"] == {"subject": ["Enter a subject."], "body": ["Enter the message."]}
    assert nothing_sent()


@pytest.mark.parametrize(("fields", "name", "text"), [
    ({"statuses": ["cancelled"]}, "statuses", "Choose confirmed, waitlisted or awaiting approval."),
    ({"statuses": []}, "statuses", "Choose at least one group of registrations."),
    ({"statuses": "confirmed"}, "statuses", "Give a list of statuses: confirmed, waitlisted, pending."),
    ({"attendance": "venue"}, "attendance", "Choose in person, online or everyone."),
    ({"affiliation": "martian"}, "affiliation", "Choose an affiliation from the list, or everyone."),
    ({"session": 999999}, "session", "Choose a session of this event, or everyone."),
    ({"attended": "yes"}, "attended", "Whether people came is known once the event has started."),
    ({"subject": 5}, "subject", "This must be text."),
    ({"subject_en": "Venue", "body_en": ""}, "body_en",
     "Enter the English message too, or leave the English subject empty."),
], ids=["cancelled", "no-status", "status-not-a-list", "attendance", "affiliation", "session", "attended-too-early",
        "subject-not-text", "english-half"])
def test_a_bad_field_answers_422_naming_it_and_sends_nothing(client, db_backend, message_mixer, auth, fields, name, text):
    event, _people = message_mixer
    for response in (preview(client, event, auth, **fields), send(client, event, auth, **fields)):
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "validation_error" and error["fields"][name] == [text]
    assert nothing_sent()


@pytest.mark.parametrize("key", [None, "", "   ", "k" * 65, 12345], ids=["missing", "empty", "blank", "long", "number"])
def test_a_send_needs_an_idempotency_key(client, db_backend, message_mixer, auth, key):
    event, _people = message_mixer
    body = message()
    if key is None:
        del body["idempotency_key"]
    else:
        body["idempotency_key"] = key
    response = client.post(f"/api/v1/events/{event.slug}/messages", json=body, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"idempotency_key": ["Use 1 to 64 characters."]}
    assert nothing_sent()


def test_no_matching_recipient_answers_422_and_records_nothing(client, db_backend, message_mixer, make_session, auth):
    event, _people = message_mixer
    table = make_session(event)  # an integer session id is understood; no one chose this table
    for response in (preview(client, event, auth, session=table.id), send(client, event, auth, session=table.id)):
        assert response.status_code == 422
        assert response.get_json()["error"]["message"] == (
            "No one matches these recipients, so nothing was sent. Choose other recipients.")
    assert nothing_sent()


def test_a_body_that_is_not_a_json_object_answers_400(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    response = client.post(f"/api/v1/events/{event.slug}/messages", json=["subject"], headers=auth)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_request"
    assert nothing_sent()


def test_an_unknown_event_answers_404(client, db_backend, auth):
    for response in (client.get("/api/v1/events/no-such-event/messages", headers=auth),
                     client.post("/api/v1/events/no-such-event/messages", json=message(), headers=auth)):
        assert response.status_code == 404
        assert response.get_json()["error"] == {"code": "not_found", "message": "We could not find that event."}


@pytest.mark.parametrize(("role", "status", "code"), [(None, 401, "unauthorized"), ("bad", 401, "unauthorized"),
                                                      ("checkin", 403, "forbidden")])
def test_only_operators_and_admins_may_use_messages(client, db_backend, message_mixer, make_token, role, status, code):
    event, _people = message_mixer
    headers = dict(EN)
    if role == "bad":
        headers["Authorization"] = "Bearer not-a-real-token"
    elif role:
        headers["Authorization"] = f"Bearer {make_token(role)[0]}"
    responses = [client.get(f"/api/v1/events/{event.slug}/messages", headers=headers),
                 preview(client, event, headers), send(client, event, headers)]
    for response in responses:
        assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert nothing_sent()


def test_an_admin_may_send(client, db_backend, message_mixer, make_token):
    event, _people = message_mixer
    token, _user = make_token("admin")
    assert send(client, event, {"Authorization": f"Bearer {token}"}).status_code == 201


def test_errors_are_translated_for_japanese_clients(client, db_backend, message_mixer, make_token):
    event, _people = message_mixer
    headers = {"Authorization": f"Bearer {make_token('operator')[0]}", "Accept-Language": "ja"}
    response = send(client, event, headers, idempotency_key="")
    assert response.get_json()["error"]["fields"]["idempotency_key"] == ["1〜64文字で指定してください。"]
    assert response.get_json()["error"]["message"].startswith("idempotency_key")


def test_the_message_operations_are_in_the_openapi_document(client, db_backend):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/events/{slug}/messages"])
    assert "post" in paths["/events/{slug}/messages/preview"]
