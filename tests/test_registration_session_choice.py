"""An event may require attendees to choose a breakout session (a table): the form, the API and
the attendee's own page insist; staff entering someone at the door or by hand do not."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from events_app.enums import SessionKind
from events_app.extensions import db
from events_app.registration.models import Registration

EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}
MESSAGES = {"en": "Choose at least one session.", "ja": "セッションを1つ以上選んでください。"}


@pytest.fixture
def tables(make_event, make_session):
    """An event that requires a table, with one open table, one full table and a timetable item."""
    event = make_event(session_choice_required=True)
    open_table = make_session(event, title="テーブルA")
    full_table = make_session(event, title="テーブルB", capacity=0)
    make_session(event, title="開会", kind=SessionKind.TIMETABLE)
    return event, open_table, full_table


def form_data(**overrides):
    data = {"name": "田中 太郎", "name_kana": "タナカ タロウ", "email": "taro@example.jp", "affiliation": "alumni",
            "consent": "y", "idempotency_key": "nonce-1"}
    data.update(overrides)
    return data


def api_body(**overrides):
    data = {"name": "鈴木 一郎", "name_kana": "スズキ イチロウ", "email": "ichiro@example.jp",
            "affiliation": "alumni", "consent": True}
    data.update(overrides)
    return data


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_form_refuses_a_registration_without_a_session(client, db_backend, tables, lang):
    event, _open, _full = tables
    response = client.post(f"/events/{event.slug}/register?lang={lang}", data=form_data())
    assert response.status_code == 422
    assert MESSAGES[lang] in response.get_data(as_text=True)
    assert count() == 0


def test_the_form_marks_the_session_choice_as_required(client, db_backend, tables):
    event, _open, _full = tables
    page = client.get(f"/events/{event.slug}/register", headers=EN).get_data(as_text=True)
    assert "Choose at least one of these sessions" in page
    event.session_choice_required = False
    db.session.commit()
    optional = client.get(f"/events/{event.slug}/register", headers=EN).get_data(as_text=True)
    assert "Choose at least one of these sessions" not in optional


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_api_answers_422_on_session_ids(client, db_backend, tables, lang):
    event, _open, _full = tables
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=api_body(session_ids=[]),
                           headers={"Accept-Language": lang})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"session_ids": [MESSAGES[lang]]}


def test_a_timetable_item_is_not_a_choice(client, db_backend, tables):
    event, _open, _full = tables
    timetable = next(s for s in event.sessions if s.kind == SessionKind.TIMETABLE)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=api_body(session_ids=[timetable.id]))
    assert response.status_code == 422 and "session_ids" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("table", ["open", "full"])
def test_any_table_counts_even_a_full_one_with_its_waitlist(client, db_backend, tables, table):
    event, open_table, full_table = tables
    chosen = open_table if table == "open" else full_table
    response = client.post(f"/events/{event.slug}/register", data=form_data(session_ids=[str(chosen.id)]))
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert [c.session_id for c in registration.session_choices] == [chosen.id]


def test_without_the_setting_no_session_is_needed(client, db_backend, make_event, make_session):
    event = make_event()
    make_session(event)
    assert client.post(f"/api/v1/events/{event.slug}/registrations", json=api_body()).status_code == 201


def test_an_operator_adds_someone_without_a_session(client, db_backend, tables, login, make_staff):
    event, _open, _full = tables
    login(make_staff("operator"))
    client.post(f"/admin/events/{event.slug}/registrations", data={
        "name": "電話 花子", "email": "phone@example.jp", "affiliation": "guest", "company": "個人"})
    assert count() == 1


def test_the_door_registers_a_walk_in_without_a_session(client, db_backend, tables, login, make_staff):
    event, _open, _full = tables
    login(make_staff("operator"))
    response = client.post(f"/checkin/{event.slug}/api/walk-in", json={
        "name": "飛び込み 太郎", "email": "walkin@example.jp", "affiliation": "guest"})
    assert response.status_code == 200, response.get_json()
    assert count() == 1


def test_the_attendee_cannot_untick_every_table_later(client, db_backend, tables):
    event, open_table, _full = tables
    client.post(f"/events/{event.slug}/register", data=form_data(session_ids=[str(open_table.id)]))
    registration = db.session.scalar(select(Registration))
    from events_app.registration.tokens import assign_manage_token

    token = assign_manage_token(registration)
    db.session.commit()
    response = client.post(f"/r/{token}/choices", data={}, headers=EN)
    assert response.status_code == 422 and MESSAGES["en"] in response.get_data(as_text=True)
    db.session.expire_all()
    assert [c.session_id for c in db.session.get(Registration, registration.id).session_choices] == [open_table.id]


def test_the_operators_page_does_not_ask_for_a_session(client, db_backend, tables, login, make_staff):
    """Staff entries are exempt, so the registration's operator page offers the tables as optional."""
    event, _open, _full = tables
    login(make_staff("operator"))
    client.post(f"/admin/events/{event.slug}/registrations", data={
        "name": "電話 花子", "email": "phone@example.jp", "affiliation": "guest", "company": "個人"})
    registration = db.session.scalar(select(Registration))
    page = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)  # staff pages are ja
    assert "テーブルA" in page and "参加したいセッションを選んでください" in page
    assert "いずれかのセッションを1つ以上お選びください" not in page
