"""The attendee's pages (form, confirmation, private link, cancel, lost link) and the operators' list."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from events_app.database import utcnow
from events_app.enums import EventStatus, QuestionKind, RegistrationStatus
from events_app.events.models import Question
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.models import Registration


def form_data(**overrides):
    data = {"name": "田中 太郎", "name_kana": "たなか たろう", "email": "taro@example.jp", "affiliation": "alumni",
            "company": "株式会社サンプル", "job_title": "部長", "former_department": "合金鉄部",
            "joined_year": "2001", "left_year": "2012", "consent": "y", "idempotency_key": "form-nonce-1"}
    data.update(overrides)
    return data


def count(model=Registration):
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_is_in_japanese_with_fields_for_each_affiliation(client, db_backend, make_event):
    event = make_event()
    page = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "フリガナ" in page and "出身部署" in page and "入社年" in page
    assert 'name="idempotency_key"' in page and 'name="website"' in page
    assert 'id="lost-link"' in page


def test_submit_confirms_and_shows_next_steps_with_the_personal_link(client, db_backend, make_event):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=form_data(), headers={"Accept-Language": "ja"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "/r/" in page
    reg = db.session.scalar(select(Registration))
    assert reg.status == RegistrationStatus.CONFIRMED and reg.person.name_kana == "タナカ タロウ"
    assert reg.person.name == "田中 太郎"


def test_double_submit_of_one_form_creates_one_registration(client, db_backend, make_event):
    event = make_event()
    first = client.post(f"/events/{event.slug}/register", data=form_data())
    second = client.post(f"/events/{event.slug}/register", data=form_data())
    assert first.status_code == second.status_code == 302
    assert count() == 1


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(client, db_backend, make_event):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", headers={"Accept-Language": "en"},
                           data=form_data(email="taro@", name_kana="Tanaka", consent="", joined_year="20xx"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a valid email address." in page
    assert "Enter the reading in katakana or hiragana." in page
    assert "Please agree to the privacy notice" in page and "Enter a year such as 2008." in page
    assert 'value="田中 太郎"' in page and 'value="株式会社サンプル"' in page
    assert count() == 0


def test_custom_questions_are_asked_and_required_ones_enforced(client, db_backend, make_event):
    event = make_event()
    q = Question(event_id=event.id, kind=QuestionKind.MULTIPLE_CHOICE, label="興味のある分野",
                 choices=["新規事業", "採用"], required=True)
    db.session.add(q)
    db.session.commit()
    # (one language per test: Flask-Babel caches the locale on the app context the test keeps)
    page = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "興味のある分野" in page and "新規事業" in page
    missing = client.post(f"/events/{event.slug}/register", data=form_data(), headers={"Accept-Language": "en"})
    assert missing.status_code == 422 and "This question needs an answer." in missing.get_data(as_text=True)
    ok = client.post(f"/events/{event.slug}/register", data={**form_data(), f"q-{q.id}": ["採用"]})
    assert ok.status_code == 302
    assert db.session.scalar(select(Registration)).answers[0].value == ["採用"]


def test_honeypot_looks_like_success_and_stores_nothing(client, db_backend, make_event):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=form_data(website="http://spam.example"))
    assert response.status_code == 302 and count() == 0


def test_duplicate_shows_a_neutral_message_and_no_link(client, db_backend, make_event):
    event = make_event()
    client.post(f"/events/{event.slug}/register", data=form_data(), headers={"Accept-Language": "en"})
    again = client.post(f"/events/{event.slug}/register", data=form_data(idempotency_key="other-nonce"),
                        headers={"Accept-Language": "en"})
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "already registered" in page
    assert "/r/" not in page
    assert count() == 1


def test_closed_events_say_why(client, db_backend, make_event):
    event = make_event(status=EventStatus.CANCELLED, published_at=utcnow())
    response = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "en"})
    assert response.status_code == 410 and "This event has been cancelled." in response.get_data(as_text=True)


@pytest.mark.parametrize("fields", [
    {"status": EventStatus.DRAFT},
    {"status": EventStatus.CANCELLED},  # cancelled before it was ever published: never announced
])
def test_an_unannounced_event_is_not_found_at_its_form_either(client, db_backend, make_event, make_staff, login,
                                                              fields):
    event = make_event(title="非公開の下書き交流会", **fields)
    for path in (f"/events/{event.slug}/register", f"/events/{event.slug}/register/done"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 404 and "非公開の下書き交流会" not in response.get_data(as_text=True)
    lost = client.post(f"/events/{event.slug}/resend-link", data={"resend-email": "a@example.jp"})
    assert lost.status_code == 404
    # Operators still reach it, and are told registration is not open.
    login(make_staff("operator"))
    preview = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "en"})
    assert preview.status_code == 410 and "非公開の下書き交流会" in preview.get_data(as_text=True)


def test_lost_link_answer_is_the_same_for_known_and_unknown_addresses(client, db_backend, make_event, make_registration):
    event = make_event()
    reg = make_registration(event)
    known = client.post(f"/events/{event.slug}/resend-link", data={"resend-email": reg.person.email},
                        follow_redirects=True, headers={"Accept-Language": "en"})
    unknown = client.post(f"/events/{event.slug}/resend-link", data={"resend-email": "nobody@example.jp"},
                          follow_redirects=True, headers={"Accept-Language": "en"})
    message = "If this address is registered for the event, we have sent the link to it."
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == [reg.person.email]


def test_lost_link_refuses_a_malformed_address_with_a_field_message_and_keeps_it(client, db_backend, make_event):
    event = make_event()
    for typed in ("bad-email", ""):
        response = client.post(f"/events/{event.slug}/resend-link", data={"resend-email": typed},
                               headers={"Accept-Language": "en"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "Enter" in page and "email address" in page
        assert "we have sent the link" not in page
        assert f'value="{typed}"' in page or not typed
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_event_page_offers_the_lost_link_form(client, db_backend, make_event, make_registration):
    event = make_event()
    reg = make_registration(event)
    page = client.get(f"/events/{event.slug}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Lost your link?" in page and f'action="/events/{event.slug}/resend-link"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"resend-email": reg.person.email}
    if token:
        data["resend-csrf_token"] = token.group(1)
    sent = client.post(f"/events/{event.slug}/resend-link", data=data, follow_redirects=True,
                       headers={"Accept-Language": "en"})
    assert "If this address is registered for the event" in sent.get_data(as_text=True)
    assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == [reg.person.email]


def test_manage_page_shows_status_and_the_cancel_needs_confirmation(client, db_backend, make_event, make_registration):
    event = make_event(capacity=1)
    reg = make_registration(event)
    waiting = make_registration(event, status="waitlisted", waitlist_rank=1)
    page = client.get(f"/r/{reg.manage_token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Confirmed: your place is reserved." in page
    assert "On the waitlist: position 1." in client.get(f"/r/{waiting.manage_token}",
                                                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    unconfirmed = client.post(f"/r/{reg.manage_token}/cancel", data={"reason": ""}, headers={"Accept-Language": "en"})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert db.session.get(Registration, reg.id).status == RegistrationStatus.CONFIRMED
    done = client.post(f"/r/{reg.manage_token}/cancel", data={"confirm": "y", "reason": "出張"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED


def test_unknown_link_is_a_friendly_404(client, db_backend):
    response = client.get("/r/not-a-real-token", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)


def test_attendee_changes_sessions_and_overlaps_are_refused(client, db_backend, make_event, make_session, make_registration):
    event = make_event()
    a, b = make_session(event), make_session(event)
    reg = make_registration(event)
    bad = client.post(f"/r/{reg.manage_token}/choices", data={"session_ids": [a.id, b.id]},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "take place at the same time" in bad.get_data(as_text=True)
    ok = client.post(f"/r/{reg.manage_token}/choices", data={"session_ids": [a.id]})
    assert ok.status_code == 302
    db.session.expire_all()
    assert [c.session_id for c in db.session.get(Registration, reg.id).session_choices] == [a.id]


def test_switching_to_a_full_table_keeps_the_held_seat_until_the_attendee_confirms(client, db_backend, make_event,
                                                                                   make_session, make_registration):
    from events_app.registration import services

    event = make_event()
    table_b = make_session(event, title="テーブルB", capacity=2)
    table_c = make_session(event, title="テーブルC", capacity=1)
    reg = make_registration(event)
    services.update_choices(reg, session_ids=[table_b.id], answers=None)
    services.update_choices(make_registration(event), session_ids=[table_c.id], answers=None)  # C is now full

    def choices():
        db.session.expire_all()
        return {(c.session_id, c.holds_seat) for c in db.session.get(Registration, reg.id).session_choices}

    refused = client.post(f"/r/{reg.manage_token}/choices", data={"session_ids": [table_c.id]},
                          headers={"Accept-Language": "en"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "“テーブルC” is full. Saving would give up your seat" in page
    assert 'name="give_up_seats"' in page
    assert choices() == {(table_b.id, True)}
    confirmed = client.post(f"/r/{reg.manage_token}/choices", data={"session_ids": [table_c.id], "give_up_seats": "1"})
    assert confirmed.status_code == 302
    assert choices() == {(table_c.id, False)}
    assert db.session.get(type(table_b), table_b.id).seats_taken == 0
    page = client.get(f"/r/{reg.manage_token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "On the waitlist for this session: position 1" in page


def test_operator_list_searches_filters_counts_and_acts(client, db_backend, make_event, make_staff, login,
                                                        make_registration, make_person):
    event = make_event(requires_approval=True)
    pending = make_registration(event, make_person(name="佐藤 花子", name_kana="サトウ ハナコ"), status="pending")
    make_registration(event, make_person(name="鈴木 次郎", name_kana="スズキ ジロウ", company="別会社"))
    login(make_staff("operator"))
    page = client.get(f"/admin/events/{event.slug}/registrations?q=さとう", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "佐藤 花子" in text and "鈴木 次郎" not in text
    assert "鈴木 次郎" in client.get(f"/admin/events/{event.slug}/registrations?q=別会社").get_data(as_text=True)
    assert "鈴木 次郎" not in client.get(f"/admin/events/{event.slug}/registrations?status=pending").get_data(as_text=True)
    client.post(f"/admin/registrations/{pending.id}/approve", data={})
    db.session.expire_all()
    assert db.session.get(Registration, pending.id).status == RegistrationStatus.CONFIRMED
    detail = client.get(f"/admin/registrations/{pending.id}").get_data(as_text=True)
    assert "<td>承認</td>" in detail and "registration.approve" not in detail  # the audit action, in words


def test_checkin_staff_cannot_open_the_operator_list(client, db_backend, make_event, make_staff, login):
    event = make_event()
    login(make_staff("checkin"))
    assert client.get(f"/admin/events/{event.slug}/registrations").status_code == 403


def test_operator_adds_a_registration_by_hand_and_it_is_audited(client, db_backend, make_event, make_staff, login):
    event = make_event(capacity=1)
    operator = make_staff("operator")
    login(operator)
    client.post(f"/admin/events/{event.slug}/registrations",
                data={"name": "電話 受付", "email": "phone@example.jp", "affiliation": "employee", "company": "人事部"})
    bad = client.post(f"/admin/events/{event.slug}/registrations", follow_redirects=True,
                      data={"name": "", "email": "nope", "affiliation": "employee"})
    assert "正しいメールアドレスを入力してください。" in bad.get_data(as_text=True)  # staff UI language: ja
    reg = db.session.scalar(select(Registration))
    assert (reg.source, reg.status, reg.person.department) == ("operator", RegistrationStatus.CONFIRMED, "人事部")
    from events_app.audit.models import AuditEntry
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == reg.id))
    assert entry.action == "registration.create" and entry.actor_id == operator.id


def test_the_form_offers_only_the_audience_and_says_whom_each_detail_is_for(client, db_backend, make_event):
    staff_only = make_event(audience_alumni=False, audience_guests=False)
    page = client.get(f"/events/{staff_only.slug}/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="employee"', page)  # the only choice, chosen
    assert 'value="alumni"' not in page and 'value="guest"' not in page
    assert "Former department" not in page and "For current employees" not in page  # one audience: no notes
    everyone = make_event()
    page = client.get(f"/events/{everyone.slug}/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for note in ("For alumni and guests", "For current employees", "For alumni", "For alumni and current employees"):
        assert note in page  # without JavaScript every block shows: each says whom it is for


def test_an_audience_refusal_is_said_once_next_to_the_field(client, db_backend, make_event):
    event = make_event(audience_guests=False)
    response = client.post(f"/events/{event.slug}/register", data=form_data(affiliation="guest"),
                           headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    # Once beside the field, and once in the summary at the top that links to it; no third time.
    summary, rest = page.split('id="error-summary"', 1)[1].split("</div>", 1)
    assert response.status_code == 403 and rest.count("This event is not open to guests.") == 1
    assert '<a href="#field-affiliation">' in summary and summary.count("This event is not open to guests.") == 1


def test_choices_show_in_the_visitors_language_and_are_stored_as_defined(client, db_backend, make_event):
    event = make_event()
    question = Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="食事", label_translation="Meal",
                        choices=["肉", "魚"], choices_translation=["Meat", "Fish"], required=True)
    db.session.add(question)
    db.session.commit()
    english = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="魚" > Fish' in english.replace("  ", " ") or re.search(r'value="魚"[^>]*>\s*Fish', english)
    japanese = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert re.search(r'value="魚"[^>]*>\s*魚', japanese) and "Fish" not in japanese
    client.post(f"/events/{event.slug}/register", data=form_data(**{f"q-{question.id}": "魚"}),
                headers={"Accept-Language": "en"})
    assert db.session.scalar(select(Registration)).answers[0].value == "魚"


def test_a_full_venue_says_full_beside_the_attendance_choice(client, db_backend, make_event):
    from events_app.enums import EventKind

    event = make_event(kind=EventKind.HYBRID, capacity=2, seats_taken=2, online_capacity=50)
    page = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    hint = page.split('class="hint reg-seats"', 1)[1].split("</p>", 1)[0]
    assert "会場参加：満席です（キャンセル待ちになります）。" in hint
    assert "オンライン参加：残り 50 名。" in hint
    assert "残り 0 席" not in page
