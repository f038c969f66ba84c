"""Messages to registrants scheduled for later: the form and the API store them, `send-reminders`
sends each once when due to the recipients chosen then, operators cancel them, cancelling the event
cancels them at once (and the send-time check stops any left), and racing senders on PostgreSQL send once."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from events_app.database import utcnow, write_transaction
from events_app.enums import EventStatus, MessageStatus
from events_app.extensions import db
from events_app.registration.message_schedule import send_due_messages
from events_app.registration.models import RegistrantMessage
from events_app.audit.models import AuditEntry
from tests.messages_support import (form_key, message_form, queued_count, queued_registration_ids, send,
                                    sent_messages)
from tests.test_registration_races import run_parallel

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def auth(make_token) -> dict:
    token, _user = make_token("operator")
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def local(when) -> str:
    """What an operator types in the form's send time: the event's (Tokyo) wall clock."""
    return when.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def schedule(client, event, when, **fields):
    return client.post(f"/admin/events/{event.slug}/messages/send",
                       data=message_form(form_key(client, event.slug), send_at=local(when), **fields))


def make_due(message: RegistrantMessage) -> None:
    """Time passes: the message's send time is now in the past."""
    with write_transaction():
        db.session.execute(update(RegistrantMessage).where(RegistrantMessage.id == message.id)
                           .values(send_at=utcnow() - timedelta(minutes=1)))


def reloaded(message: RegistrantMessage) -> RegistrantMessage:
    db.session.rollback()
    return db.session.scalars(select(RegistrantMessage).where(RegistrantMessage.id == message.id)
                              .execution_options(populate_existing=True)).one()


# --- scheduling ---------------------------------------------------------------------------

def test_form_schedules_a_message_in_the_events_zone_and_queues_nothing(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    when = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)

    response = schedule(client, event, when)

    assert response.status_code == 302
    [message] = sent_messages()
    assert (message.status, message.send_at, message.sent_at) == (MessageStatus.SCHEDULED, when, None)
    assert message.filters["statuses"] == ["confirmed"] and queued_count() == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "送信予定" in page and "送信時に宛先が決まります" in page


def test_preview_says_when_it_will_go_and_that_recipients_are_chosen_then(client, db_backend, operator,
                                                                         message_mixer):
    event, _people = message_mixer
    when = utcnow() + timedelta(days=2)
    page = client.post(f"/admin/events/{event.slug}/messages/preview",
                       data=message_form(form_key(client, event.slug), send_at=local(when))).get_data(as_text=True)
    assert 'id="scheduled-for"' in page and 'name="send_at"' in page and queued_count() == 0


@pytest.mark.parametrize("when, error", [
    (lambda event: utcnow() - timedelta(hours=1), "未来の日時"),
    (lambda event: event.ends_at + timedelta(hours=1), "イベント終了前"),
])
def test_a_past_or_after_the_event_time_is_refused_beside_the_field(client, db_backend, operator, message_mixer,
                                                                    when, error):
    event, _people = message_mixer
    response = schedule(client, event, when(event))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error in page and "会場変更のお知らせ" in page  # the typed text is kept
    assert sent_messages() == [] and queued_count() == 0


def test_api_schedules_with_a_zoned_time_and_lists_it_first(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    url = f"/api/v1/events/{event.slug}/messages"
    assert client.post(url, json={"subject": "先に送信", "body": "本文", "idempotency_key": "now"},
                       headers=auth).status_code == 201
    when = (utcnow() + timedelta(days=1)).replace(microsecond=0)

    response = client.post(url, json={"subject": "予約", "body": "本文", "idempotency_key": "later",
                                      "send_at": when.astimezone(TOKYO).isoformat()}, headers=auth)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["status"] == "scheduled"
    listed = client.get(url, headers=auth).get_json()["messages"]
    assert [(m["subject"], m["message_status"]) for m in listed] == [("予約", "scheduled"), ("先に送信", "sent")]
    assert listed[0]["send_at"] == when.isoformat() and listed[0]["recipient_count"] == 0


@pytest.mark.parametrize("send_at, words", [
    ("2020-01-01T10:00:00+09:00", "future"),
    ("2099-01-01T10:00", "zone"),
    ("next tuesday", "date and time"),
    (12, "must be text"),
])
def test_api_refuses_a_bad_send_at_with_a_field_error(client, db_backend, message_mixer, auth, send_at, words):
    event, _people = message_mixer
    response = client.post(f"/api/v1/events/{event.slug}/messages", headers=auth, json={
        "subject": "予約", "body": "本文", "idempotency_key": "k", "send_at": send_at})
    assert response.status_code == 422
    assert words in " ".join(response.get_json()["error"]["fields"]["send_at"])
    assert sent_messages() == []


# --- sending when due ---------------------------------------------------------------------

def test_send_reminders_sends_nothing_before_the_time(client, db_backend, operator, message_mixer, runner):
    event, _people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    result = runner.invoke(args=["send-reminders"])
    assert "sent 0 scheduled" in result.output
    assert queued_count() == 0 and sent_messages()[0].status == MessageStatus.SCHEDULED


def test_when_due_it_goes_once_to_the_recipients_chosen_then(client, db_backend, operator, message_mixer, runner,
                                                            make_registration):
    event, people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()
    newcomer = make_registration(event)  # registered after scheduling: included
    with write_transaction():
        db.session.get(type(people["taro"]), people["taro"].id).status = "cancelled"  # left meanwhile: not
    make_due(message)

    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])

    assert "sent 1 scheduled" in first.output and "sent 0 scheduled" in second.output
    assert queued_registration_ids() == {people["hanako"].id, people["kate"].id, newcomer.id}
    message = reloaded(message)
    assert (message.status, message.recipient_count) == (MessageStatus.SENT, 3) and message.sent_at is not None


def test_operator_cancels_a_scheduled_message_and_it_stays_in_the_history(client, db_backend, operator,
                                                                         message_mixer, runner):
    event, _people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()

    response = client.post(f"/admin/events/{event.slug}/messages/{message.id}/cancel")
    make_due(message)
    runner.invoke(args=["send-reminders"])

    assert response.status_code == 302 and queued_count() == 0
    assert reloaded(message).status == MessageStatus.CANCELLED
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    assert "オペレーターが取り消しました" in page and "送信を取り消す" not in page


def test_recipient_page_of_a_scheduled_message_shows_the_time_and_todays_count(client, db_backend, operator,
                                                                              message_mixer):
    event, _people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()
    page = client.get(f"/admin/events/{event.slug}/messages/{message.id}").get_data(as_text=True)
    assert 'id="message-status"' in page and "3 人" in page[page.index('id="would-reach"'):]


def test_api_cancel_answers_409_once_the_message_was_sent(client, db_backend, message_mixer, auth):
    event, _people = message_mixer
    url = f"/api/v1/events/{event.slug}/messages"
    later = client.post(url, headers=auth, json={"subject": "予約", "body": "本文", "idempotency_key": "a",
                                                 "send_at": (utcnow() + timedelta(hours=2)).isoformat()}).get_json()
    now = client.post(url, headers=auth, json={"subject": "今", "body": "本文", "idempotency_key": "b"}).get_json()

    cancelled = client.post(f"{url}/{later['id']}/cancel", headers=auth)
    refused = client.post(f"{url}/{now['id']}/cancel", headers=auth)

    assert cancelled.status_code == 200 and cancelled.get_json()["cancel_reason"] == "operator"
    assert refused.status_code == 409
    assert client.post(f"{url}/{later['id']}/cancel", headers=auth).status_code == 409


def test_a_message_for_an_event_cancelled_before_its_time_is_not_sent(client, db_backend, operator, message_mixer,
                                                                      runner):
    event, _people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()
    with write_transaction():
        db.session.get(type(event), event.id).status = EventStatus.CANCELLED
    make_due(message)

    result = runner.invoke(args=["send-reminders"])

    assert "1 not sent" in result.output and queued_count() == 0
    assert reloaded(message).cancel_reason.value == "event_cancelled"
    page = client.get(f"/admin/events/{event.slug}/messages/{message.id}").get_data(as_text=True)
    assert "イベントが中止" in page


CANCEL_EVENT = {
    "admin form": lambda client, slug, auth: client.post(f"/admin/events/{slug}/cancel",
                                                         data={"reason": "台風のため", "confirm": "y"}),
    "api": lambda client, slug, auth: client.post(f"/api/v1/events/{slug}/cancel", json={"reason": "台風のため"},
                                                  headers=auth),
}


@pytest.mark.parametrize("surface", CANCEL_EVENT)
def test_cancelling_the_event_cancels_its_scheduled_messages_and_leaves_sent_ones(
        client, db_backend, operator, message_mixer, runner, auth, surface):
    event, _people = message_mixer
    send(client, event, subject="先に送信")
    schedule(client, event, utcnow() + timedelta(hours=3), subject="予約")
    sent, scheduled = sent_messages()

    response = CANCEL_EVENT[surface](client, event.slug, auth)

    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    scheduled, sent = reloaded(scheduled), reloaded(sent)
    assert (scheduled.status, scheduled.cancel_reason.value) == (MessageStatus.CANCELLED, "event_cancelled")
    assert (sent.status, sent.cancel_reason, sent.recipient_count) == (MessageStatus.SENT, None, 3)
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    row = page[page.index(f'id="message-{scheduled.id}"'):page.index(f'id="message-{sent.id}"')]
    assert "未送信: 送信日時の前にイベントが中止されました" in row and "送信を取り消す" not in row
    listed = client.get(f"/api/v1/events/{event.slug}/messages", headers=auth).get_json()["messages"]
    assert [(m["subject"], m["message_status"], m["cancel_reason"]) for m in listed] == [
        ("予約", "cancelled", "event_cancelled"), ("先に送信", "sent", None)]
    make_due(scheduled)
    assert "sent 0 scheduled" in runner.invoke(args=["send-reminders"]).output and queued_count() == 3


def test_cancelling_the_event_audits_each_message_it_cancels(client, db_backend, operator, message_mixer, auth):
    event, _people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()

    CANCEL_EVENT["admin form"](client, event.slug, auth)

    db.session.rollback()
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registrant_message.cancelled"))
    assert (entry.subject_id, entry.actor_id, entry.details) == (message.id, operator.id, {"reason": "event_cancelled"})


@pytest.mark.postgres_only
def test_racing_senders_send_a_due_message_once(app, client, db_backend, operator, message_mixer):
    event, people = message_mixer
    schedule(client, event, utcnow() + timedelta(hours=3))
    [message] = sent_messages()
    make_due(message)
    db.session.remove()

    results = run_parallel(app, [send_due_messages] * 8)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["sent"] for r in results) == 1
    assert queued_count() == 3
