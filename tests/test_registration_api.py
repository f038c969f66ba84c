"""The public registration API and the staff endpoints, with their stable codes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from events_app.database import utcnow
from events_app.enums import EventStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.models import Registration


def body(**overrides):
    data = {"name": "鈴木 一郎", "name_kana": "スズキ イチロウ", "email": "ichiro@example.jp", "affiliation": "alumni",
            "company": "株式会社ミライ", "former_department": "広報部", "joined_year": 2005, "left_year": 2015,
            "consent": True}
    data.update(overrides)
    return data


def post(client, slug, data, **headers):
    return client.post(f"/api/v1/events/{slug}/registrations", json=data, headers=headers)


def test_public_registration_answers_201_with_status_and_absolute_links(client, db_backend, make_event):
    event = make_event()
    response = post(client, event.slug, body())
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "confirmed" and data["waitlist_position"] is None and isinstance(data["id"], int)
    assert data["links"]["manage"].startswith("http://localhost/r/")
    assert data["links"]["calendar"] == data["links"]["manage"] + "/invite.ics"
    assert data["links"]["ticket_qr"] == data["links"]["manage"] + "/ticket.png"


def test_full_event_answers_waitlisted_with_position(client, db_backend, make_event):
    event = make_event(capacity=1)
    post(client, event.slug, body(email="a@example.jp"))
    data = post(client, event.slug, body(email="b@example.jp")).get_json()
    assert (data["status"], data["waitlist_position"]) == ("waitlisted", 1)


def test_approval_event_answers_pending(client, db_backend, make_event):
    event = make_event(requires_approval=True)
    assert post(client, event.slug, body()).get_json()["status"] == "pending"


def test_duplicate_answers_409_without_any_link_and_mails_it(client, db_backend, make_event):
    event = make_event()
    first = post(client, event.slug, body()).get_json()
    response = post(client, event.slug, body(email="ICHIRO@example.jp"))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_registered"
    token = first["links"]["manage"].rsplit("/", 1)[1]
    assert token not in response.get_data(as_text=True) and "links" not in response.get_json()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.template == "registration_link_resent")) == 1


def test_invalid_fields_answer_422_with_every_field_message(client, db_backend, make_event):
    event = make_event()
    response = post(client, event.slug, body(email="not-an-email", affiliation="martian", consent=False, name=""))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert {"email", "affiliation", "consent", "name"} <= set(error["fields"])
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"'])
def test_malformed_body_answers_400(client, db_backend, make_event, raw):
    event = make_event()
    response = client.post(f"/api/v1/events/{event.slug}/registrations", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_request"


def test_oversize_values_are_refused_per_field(client, db_backend, make_event):
    event = make_event()
    response = post(client, event.slug, body(name="あ" * 500, company=["list"], joined_year="1800"))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and {"name", "company", "joined_year"} <= set(fields)


def test_closed_event_answers_410(client, db_backend, make_event):
    event = make_event(status=EventStatus.CANCELLED)
    response = post(client, event.slug, body())
    assert response.status_code == 410
    assert response.get_json()["error"]["code"] == "registration_closed"


def test_audience_answers_403(client, db_backend, make_event):
    event = make_event(audience_alumni=False, audience_guests=False)
    response = post(client, event.slug, body())
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "audience_not_allowed"


def test_idempotency_key_replays_the_first_answer(client, db_backend, make_event):
    event = make_event()
    first = post(client, event.slug, body(), **{"Idempotency-Key": "abc-123"})
    second = post(client, event.slug, body(), **{"Idempotency-Key": "abc-123"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]


def test_staff_list_filters_by_status_and_needs_a_token(client, db_backend, make_event, make_token):
    event = make_event(capacity=1)
    post(client, event.slug, body(email="a@example.jp"))
    post(client, event.slug, body(email="b@example.jp"))
    assert client.get(f"/api/v1/events/{event.slug}/registrations").status_code == 401
    token, _ = make_token("operator")
    response = client.get(f"/api/v1/events/{event.slug}/registrations?status=waitlisted",
                          headers={"Authorization": f"Bearer {token}"})
    data = response.get_json()
    assert response.status_code == 200 and [r["email"] for r in data["registrations"]] == ["b@example.jp"]
    checkin_token, _ = make_token("checkin")
    assert client.get(f"/api/v1/events/{event.slug}/registrations",
                      headers={"Authorization": f"Bearer {checkin_token}"}).status_code == 403


def test_staff_actions_approve_reject_cancel_promote(client, db_backend, make_event, make_token):
    token, _ = make_token("admin")
    auth = {"Authorization": f"Bearer {token}"}
    event = make_event(capacity=1, requires_approval=True)
    a = post(client, event.slug, body(email="a@example.jp")).get_json()["id"]
    b = post(client, event.slug, body(email="b@example.jp")).get_json()["id"]
    c = post(client, event.slug, body(email="c@example.jp")).get_json()["id"]
    assert client.post(f"/api/v1/registrations/{a}/approve", headers=auth).get_json()["status"] == "confirmed"
    assert client.post(f"/api/v1/registrations/{b}/approve", headers=auth).get_json()["status"] == "waitlisted"
    rejected = client.post(f"/api/v1/registrations/{c}/reject", json={"message": "定員のため"}, headers=auth)
    assert rejected.get_json()["status"] == "rejected"
    full = client.post(f"/api/v1/registrations/{b}/promote", headers=auth)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "event_full"
    assert client.post(f"/api/v1/registrations/{a}/cancel", headers=auth).get_json()["status"] == "cancelled"
    assert client.get(f"/api/v1/events/{event.slug}/registrations?status=confirmed",
                      headers=auth).get_json()["registrations"][0]["id"] == b
    again = client.post(f"/api/v1/registrations/{a}/cancel", headers=auth)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_operations_are_in_the_openapi_document(client, db_backend):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/events/{slug}/registrations"] and "get" in paths["/events/{slug}/registrations"]
    for action in ("approve", "reject", "cancel", "promote"):
        assert "post" in paths[f"/registrations/{{registration_id}}/{action}"]


def test_years_after_this_one_are_refused_and_nothing_is_stored(client, db_backend, make_event):
    event = make_event()
    next_year = utcnow().year + 1
    response = post(client, event.slug, body(joined_year=next_year, left_year=next_year + 1))
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422 and {"joined_year", "left_year"} <= set(fields)
    assert str(utcnow().year) in fields["joined_year"][0]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    this_year = post(client, event.slug, body(joined_year=utcnow().year - 3, left_year=utcnow().year))
    assert this_year.status_code == 201


# --- the event as registering reads it (registering_event: one statement, no ORM load) ---------

def test_unknown_event_answers_404_and_writes_nothing(client, db_backend):
    response = post(client, "no-such-event", body())
    assert response.status_code == 404 and response.get_json()["error"]["message"] == "イベントが見つかりません。"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_hybrid_attendance_required_question_and_table_rules_hold_through_the_api(
        client, db_backend, make_event, make_session):
    """Every rule that reads the event: attendance on a hybrid event, a required custom question
    (loaded only because the event has one), a required table choice (sessions asked for)."""
    from events_app.enums import EventKind, QuestionKind
    from events_app.events.models import Question

    event = make_event(kind=EventKind.HYBRID, online_capacity=50, online_url="https://meet.example.jp/x",
                       session_choice_required=True)
    table = make_session(event)
    db.session.add(Question(event_id=event.id, kind=QuestionKind.YES_NO, label="懇親会に参加しますか",
                            required=True, position=1))
    db.session.commit()
    question_id = db.session.scalar(select(Question.id).where(Question.event_id == event.id))
    refused = post(client, event.slug, body())
    assert refused.status_code == 422
    fields = refused.get_json()["error"]["fields"]
    assert set(fields) >= {"attendance", f"answers.{question_id}", "session_ids"}
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    accepted = post(client, event.slug, body(attendance="online", answers={str(question_id): "yes"},
                                             session_ids=[table.id]))
    assert accepted.status_code == 201 and accepted.get_json()["attendance"] == "online"
    registration = db.session.get(Registration, accepted.get_json()["id"])
    assert [a.value for a in registration.answers] == [True]
    assert [c.session_id for c in registration.session_choices] == [table.id]
