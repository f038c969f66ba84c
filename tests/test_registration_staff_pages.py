"""The operators' registration pages as staff read them: counts per attendance mode, translated
labels instead of internal codes, space-blind name search, the waitlist move's real position."""
from __future__ import annotations

import re

import pytest

from events_app.enums import EventKind


def row(page: str, registration_id: int) -> str:
    match = re.search(rf'<tr id="reg-{registration_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for registration {registration_id}"
    return match.group(1)


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


@pytest.mark.parametrize("capacity, online_capacity, in_person, online", [
    (2, 100, "会場 2 / 2", "オンライン 1 / 100"),
    (None, None, "会場 2", "オンライン 1"),
])
def test_hybrid_counts_each_mode_against_its_own_capacity(client, db_backend, operator, make_event,
                                                          make_registration, capacity, online_capacity,
                                                          in_person, online):
    event = make_event(kind=EventKind.HYBRID, capacity=capacity, online_capacity=online_capacity)
    make_registration(event)
    make_registration(event)
    make_registration(event, attendance_mode="online")
    page = client.get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    counts = re.search(r'<div class="reg-counts".*?</div>\s*</div>', page, re.S).group(0)
    shown = re.search(r'reg-modes">(.*?)</', counts, re.S).group(1)
    assert [part.strip() for part in shown.split("·")] == [in_person, online]
    assert "3 / " not in counts  # the total is never divided by the in-person capacity


def test_the_list_uses_the_public_forms_word_for_employees(client, db_backend, operator, make_event,
                                                            make_registration, make_person):
    event = make_event()
    reg = make_registration(event, make_person(affiliation="employee", company="", department="人事部"))
    page = client.get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    assert "現役社員" in row(page, reg.id)
    assert '<option value="employee">現役社員</option>' in page


@pytest.mark.parametrize("lang, affiliation, source", [("ja", "現役社員", "Webフォーム"),
                                                       ("en", "Current employee", "Web form")])
def test_detail_page_shows_affiliation_and_source_as_words(client, db_backend, operator, make_event,
                                                           make_registration, make_person, lang,
                                                           affiliation, source):
    reg = make_registration(make_event(), make_person(affiliation="employee"), source="web")
    page = client.get(f"/admin/registrations/{reg.id}?lang={lang}").get_data(as_text=True)
    assert f"<dd>{affiliation}" in page and f"<dd>{source}</dd>" in page
    assert "<dd>employee" not in page and "<dd>web</dd>" not in page


@pytest.mark.parametrize("lang, action, added", [("ja", "セッション・回答の変更", "追加したセッション: テーブルA"),
                                                 ("en", "Changed sessions or answers", "Sessions added: テーブルA")])
def test_history_names_actions_and_sessions_instead_of_codes(client, db_backend, operator, make_event,
                                                             make_session, make_registration, lang,
                                                             action, added):
    event = make_event()
    table = make_session(event, title="テーブルA")
    reg = make_registration(event)
    client.post(f"/admin/registrations/{reg.id}", data={"session_ids": [table.id]})
    page = client.get(f"/admin/registrations/{reg.id}?lang={lang}").get_data(as_text=True)
    trail = page[page.index('class="reg-trail"'):]
    assert action in trail and added in trail
    assert "registration.update" not in trail and "sessions_added" not in trail and f"[{table.id}]" not in trail


def test_history_labels_an_approval(client, db_backend, operator, make_event, make_registration):
    event = make_event(requires_approval=True)
    reg = make_registration(event, status="pending")
    client.post(f"/admin/registrations/{reg.id}/approve", data={"message": "ようこそ"})
    trail = client.get(f"/admin/registrations/{reg.id}").get_data(as_text=True)
    trail = trail[trail.index('class="reg-trail"'):]
    assert "承認" in trail and "ようこそ" in trail and "参加確定" in trail
    assert "registration.approve" not in trail and "result:" not in trail


@pytest.mark.parametrize("stored, typed", [
    ("山田 花子", "山田花子"),
    ("山田　花子", "山田花子"),       # a full-width space in the stored name
    ("山田花子", "山田 花子"),
    ("山田花子", "山田　花子"),
])
def test_name_search_ignores_spaces_on_both_sides(client, db_backend, operator, make_event, make_registration,
                                                  make_person, stored, typed):
    event = make_event()
    make_registration(event, make_person(name=stored, name_kana="ヤマダ ハナコ"))
    make_registration(event, make_person(name="鈴木 次郎", name_kana="スズキ ジロウ"))
    page = client.get(f"/admin/events/{event.slug}/registrations", query_string={"q": typed}).get_data(as_text=True)
    assert stored in page and "鈴木 次郎" not in page


@pytest.mark.parametrize("typed", ["ヤマダハナコ", "やまだはなこ", "ﾔﾏﾀﾞ ﾊﾅｺ"])
def test_kana_search_ignores_spaces(client, db_backend, operator, make_event, make_registration, make_person, typed):
    event = make_event()
    make_registration(event, make_person(name="山田 花子", name_kana="ヤマダ ハナコ"))
    page = client.get(f"/admin/events/{event.slug}/registrations", query_string={"q": typed}).get_data(as_text=True)
    assert "山田 花子" in page


def test_moving_past_the_end_of_the_waitlist_says_the_real_position(client, db_backend, operator, make_event,
                                                                     make_registration):
    event = make_event(capacity=0)
    waiting = [make_registration(event, status="waitlisted", waitlist_rank=i) for i in range(1, 5)]
    page = client.post(f"/admin/registrations/{waiting[0].id}/move", data={"position": "99"},
                       follow_redirects=True).get_data(as_text=True)
    assert "キャンセル待ちの 4 番目に移動しました。" in page
    assert "99 番目" not in page
    assert "#4" in row(page, waiting[0].id)


def test_the_detail_page_approves_with_a_message_declines_and_cancels(client, db_backend, operator, make_event,
                                                                    make_registration):
    from events_app.extensions import db
    from events_app.mail.models import OutboxMessage
    from events_app.registration.models import Registration
    from sqlalchemy import select

    event = make_event(requires_approval=True)
    pending = make_registration(event, status="pending")
    page = client.get(f"/admin/registrations/{pending.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for action in ("approve", "reject", "cancel"):
        assert f'/admin/registrations/{pending.id}/{action}"' in page
    assert "メッセージを添えて承認" in page  # staff read their own language (ja)
    done = client.post(f"/admin/registrations/{pending.id}/approve",
                       data={"message": "当日は受付で名刺を1枚ください。", "next": f"/admin/registrations/{pending.id}"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/registrations/{pending.id}")
    db.session.expire_all()
    approved = db.session.get(Registration, pending.id)
    assert approved.status.value == "confirmed" and approved.decision_message == "当日は受付で名刺を1枚ください。"
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "registration_approved")).all()
    assert mail.registration_id == pending.id
