"""Operators message an event's registrants: compose, preview, send once, history, refusals, who may."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.database import write_transaction
from events_app.enums import EventKind, OutboxStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from tests.conftest import in_days
from tests.messages_support import form_key, message_form, queued_count, queued_registration_ids, send, sent_messages


def preview(client, event, **fields):
    return client.post(f"/admin/events/{event.slug}/messages/preview",
                       data=message_form(form_key(client, event.slug), **fields))


def test_event_page_and_registrations_list_link_to_the_messages(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    for url in (f"/admin/events/{event.slug}", f"/admin/events/{event.slug}/registrations"):
        page = client.get(url).get_data(as_text=True)
        assert f'/admin/events/{event.slug}/messages"' in page, url


def test_compose_page_starts_with_confirmed_registrations_chosen(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    assert "参加者へのメッセージ" in page and 'name="subject"' in page and 'name="body"' in page
    checked = re.findall(r'<input (checked )?id="statuses-\d" name="statuses" type="checkbox" value="(\w+)"', page)
    assert checked == [("checked ", "confirmed"), ("", "waitlisted"), ("", "pending")]
    assert 'value="cancelled"' not in page and 'value="rejected"' not in page


@pytest.mark.parametrize("starts_in_days, offered", [(7, False), (-1, True)])
def test_came_or_not_is_offered_once_the_event_has_started(client, db_backend, operator, make_event,
                                                          starts_in_days, offered):
    event = make_event(starts_at=in_days(starts_in_days))
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    assert ('name="attended"' in page) is offered


def test_attendance_and_session_are_offered_where_the_event_has_them(client, db_backend, operator, make_event,
                                                                    make_session):
    plain = make_event()
    hybrid = make_event(kind=EventKind.HYBRID, online_capacity=50)
    make_session(hybrid, title="テーブルA")
    plain_page = client.get(f"/admin/events/{plain.slug}/messages").get_data(as_text=True)
    hybrid_page = client.get(f"/admin/events/{hybrid.slug}/messages").get_data(as_text=True)
    assert 'name="attendance"' not in plain_page and 'name="session"' not in plain_page
    assert 'name="attendance"' in hybrid_page and ">テーブルA</option>" in hybrid_page


def test_preview_counts_recipients_and_shows_each_language_without_sending(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    response = preview(client, event, subject_en="Venue moved", body_en="The venue is now on the 12th floor.")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "このメッセージは 3 人に送信されます。" in page
    assert "日本語 2 人" in page and "英語 1 人" in page
    japanese = page[page.index('id="preview-ja"'):page.index('id="preview-en"')]
    english = page[page.index('id="preview-en"'):]
    assert "【石炭部 OB/OG 交流会】会場変更のお知らせ" in japanese and "会場が12階に変わりました。" in japanese
    assert "[Coal Department alumni evening] Venue moved" in english and "12th floor" in english
    assert "3 人に送信する" in page  # the confirm button says how many
    assert queued_count() == 0 and sent_messages() == []


def test_preview_warns_when_english_readers_get_no_english_version(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    page = preview(client, event).get_data(as_text=True)
    assert "英語版がありません" in page
    english = page[page.index('id="preview-en"'):]
    assert "Dear (recipient&#39;s name)," in english or "Dear (recipient's name)," in english
    assert "会場が12階に変わりました。" in english  # the Japanese text in the English frame


def test_edit_from_the_preview_returns_to_the_form_with_the_text(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    response = preview(client, event, edit="1", body="本文はこのまま")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="subject"' in page and "本文はこのまま</textarea>" in page


def test_send_queues_one_mail_per_recipient_and_records_the_message(client, db_backend, operator, message_mixer):
    event, people = message_mixer
    response = send(client, event, subject_en="Venue moved", body_en="12th floor.")
    assert response.status_code == 302
    [message] = sent_messages()
    assert response.headers["Location"].endswith(f"/admin/events/{event.slug}/messages#message-{message.id}")
    assert queued_registration_ids() == {people[n].id for n in ("hanako", "taro", "kate")}
    assert (message.subject, message.body, message.subject_en, message.body_en) == (
        "会場変更のお知らせ", "会場が12階に変わりました。", "Venue moved", "12th floor.")
    assert message.recipient_count == 3 and message.sent_by_label == operator.email
    assert message.filters["statuses"] == ["confirmed"]
    languages = dict(db.session.execute(select(OutboxMessage.registration_id, OutboxMessage.language)).all())
    assert languages[people["kate"].id] == "en" and languages[people["hanako"].id] == "ja"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registrant_message.sent"))
    assert (audit.actor_id, audit.event_id, audit.subject_id) == (operator.id, event.id, message.id)
    assert audit.details["recipients"] == 3
    assert "3 人に送信しました" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_same_form_submitted_twice_sends_once(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    key = form_key(client, event.slug)
    first = send(client, event, key)
    second = send(client, event, key)
    assert first.status_code == second.status_code == 302
    assert len(sent_messages()) == 1 and queued_count() == 3
    assert "このメッセージは送信済みです（3 人）" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_a_new_form_sends_a_new_message(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    send(client, event)
    send(client, event, subject="スライドを共有します")
    assert [m.subject for m in sent_messages()] == ["会場変更のお知らせ", "スライドを共有します"]
    assert queued_count() == 6


def test_history_shows_who_sent_what_and_the_outbox_progress(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    send(client, event, statuses=["confirmed", "waitlisted"])
    [message] = sent_messages()
    with write_transaction():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        rows[0].status, rows[1].status = OutboxStatus.SENT, OutboxStatus.FAILED
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    row = re.search(rf'<tr id="message-{message.id}">(.*?)</tr>', page, re.S).group(1)
    assert "会場変更のお知らせ" in row and operator.email in row and "4 人" in row
    assert "対象: 参加確定、キャンセル待ち" in row or "対象: 確定、キャンセル待ち" in row
    cells = re.findall(r'<td class="num" data-label="[^"]*">(?:<a [^>]*>)?(\d+)', row)
    assert cells == ["1", "2", "1"]  # delivered, waiting, failed


def test_history_is_empty_before_the_first_message(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    assert "まだメッセージを送信していません" in page


LONG_SUBJECT = "あ" * 201
LONG_BODY = "本" * 10_001


@pytest.mark.parametrize("endpoint", ["preview", "send"])
@pytest.mark.parametrize("fields, field, problem", [
    ({"subject": "  "}, "subject", "件名を入力してください。"),
    ({"subject": LONG_SUBJECT}, "subject", "200 文字以内で入力してください（現在 201 文字）。"),
    ({"body": "\n \n"}, "body", "本文を入力してください。"),
    ({"body": LONG_BODY}, "body", "10000 文字以内で入力してください（現在 10001 文字）。"),
    ({"subject_en": "Venue moved"}, "body_en", "英語の本文も入力するか、英語の件名を空にしてください。"),
    ({"body_en": "12th floor"}, "subject_en", "英語の件名も入力するか、英語の本文を空にしてください。"),
    ({"statuses": ["cancelled"]}, "statuses", "参加確定・キャンセル待ち・承認待ちから選んでください。"),
    ({"statuses": []}, "statuses", "対象の申し込みを1つ以上選んでください。"),
    ({"attendance": "teleport"}, "attendance", "会場・オンライン・全員のいずれかを選んでください。"),
    ({"affiliation": "boss"}, "affiliation", "一覧から区分を選ぶか、全員を選んでください。"),
    ({"session": "99999"}, "session", "このイベントのセッションを選ぶか、全員を選んでください。"),
    ({"attended": "yes"}, "attended", "出欠はイベントの開始後に選べます。"),
    ({"attended": "maybe"}, "attended", "出席した人・欠席した人・全員のいずれかを選んでください。"),
], ids=["empty-subject", "long-subject", "empty-body", "long-body", "english-subject-alone",
        "english-body-alone", "cancelled-status", "no-status", "attendance", "affiliation", "session",
        "attended-too-early", "attended-unknown"])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_queued(client, db_backend, operator, message_mixer,
                                                                     endpoint, fields, field, problem):
    event, _people = message_mixer
    data = message_form(form_key(client, event.slug), **{"subject": "件名そのまま", "body": "本文そのまま", **fields})
    response = client.post(f"/admin/events/{event.slug}/messages/{endpoint}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field_html = re.search(rf'id="field-{field}"(.*?)</div>', page, re.S).group(1)
    assert problem in field_html
    typed = data["body"] if field != "body" else data["subject"]
    assert typed[:50] in page  # what was typed stays in the form
    assert queued_count() == 0 and sent_messages() == []


def test_a_session_of_another_event_is_refused(client, db_backend, operator, message_mixer, make_event, make_session):
    event, _people = message_mixer
    elsewhere = make_session(make_event())
    response = preview(client, event, session=str(elsewhere.id))
    assert response.status_code == 422 and "このイベントのセッションを選ぶか" in response.get_data(as_text=True)


def test_errors_are_in_english_for_an_english_reader(client, db_backend, operator, message_mixer):
    event, _people = message_mixer
    client.get("/lang/en")
    response = preview(client, event, subject="", subject_en="Venue moved")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a subject." in page and "Enter the English message too, or leave the English subject empty." in page


@pytest.mark.parametrize("endpoint", ["preview", "send"])
def test_no_recipients_is_refused_with_a_clear_message(client, db_backend, operator, message_mixer, endpoint):
    event, _people = message_mixer
    data = message_form(form_key(client, event.slug), statuses=["pending"], body="誰にも届かない本文")
    response = client.post(f"/admin/events/{event.slug}/messages/{endpoint}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "この条件に当てはまる送信先がいないため、送信していません。" in page
    assert "誰にも届かない本文</textarea>" in page
    assert queued_count() == 0 and sent_messages() == []


@pytest.mark.parametrize("method, path", [("GET", "messages"), ("POST", "messages/preview"), ("POST", "messages/send")])
def test_check_in_staff_are_refused(client, db_backend, make_staff, login, message_mixer, method, path):
    from events_app.auth.services import assign_staff

    event, _people = message_mixer
    door = make_staff("checkin")
    assign_staff(event.id, door.id)
    login(door)
    response = client.open(f"/admin/events/{event.slug}/{path}", method=method, data=message_form("k"))
    assert response.status_code == 403
    assert queued_count() == 0


@pytest.mark.parametrize("method, path", [("GET", "messages"), ("POST", "messages/send")])
def test_strangers_are_sent_to_sign_in(client, db_backend, message_mixer, method, path):
    event, _people = message_mixer
    response = client.open(f"/admin/events/{event.slug}/{path}", method=method, data=message_form("k"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert queued_count() == 0


def test_admins_may_send(client, db_backend, make_staff, login, message_mixer):
    event, _people = message_mixer
    login(make_staff("admin"))
    assert send(client, event).status_code == 302 and queued_count() == 3


def test_an_unknown_event_is_404(client, db_backend, operator):
    assert client.get("/admin/events/no-such-event/messages").status_code == 404
