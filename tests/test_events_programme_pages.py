"""Operator pages for an event's programme (sessions, hosts, custom questions): bad input shows a
message next to its field and keeps what was typed; good input is saved."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.events.models import EventSession, Host, Question
from events_app.extensions import db
from tests.test_events_admin_pages import EN, field_error, operator_client  # noqa: F401  (a fixture)


def session_form(event, **overrides) -> dict:
    start = event.local_starts_at
    data = {"kind": "breakout", "title": "テーブルA", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "capacity": "8", "host_id": ""}
    data.update(overrides)
    return data


def test_adding_a_session(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/sessions/new", data=session_form(event))
    assert response.status_code == 302
    assert db.session.scalar(select(EventSession)).title == "テーブルA"


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": ""}, "title", "This field is required."),
    ({"capacity": "-2"}, "capacity", "Enter 0 or more."),
    ({"starts_at": "2000-01-01T10:00", "ends_at": "2000-01-01T11:00"}, "starts_at", "within the event"),
    ({"online_url": "not a url"}, "online_url", "https://"),
    ({"host_id": "99999"}, "host_id", "Choose one of this event"),
])
def test_bad_session_input_is_shown_and_kept(operator_client, make_event, overrides, field, message):
    event = make_event()
    overrides = {"title": "テーブルA", **overrides}  # a copy: the parameters serve every database run
    response = operator_client.post(f"/admin/events/{event.slug}/sessions/new",
                                    data=session_form(event, **overrides), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert db.session.scalar(select(EventSession)) is None


@pytest.mark.parametrize("data, field, message", [
    ({"role": "host", "name": ""}, "name", "This field is required."),
    ({"role": "host", "name": "佐藤", "joined_year": "2015", "left_year": "2001"}, "left_year", "cannot be before"),
    ({"role": "host", "name": "佐藤", "joined_year": "nineteen"}, "joined_year", "whole number"),
])
def test_bad_host_input_is_shown_and_kept(operator_client, make_event, data, field, message):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/hosts/new", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    if data["name"]:
        assert 'value="佐藤"' in html
    assert db.session.scalar(select(Host)) is None


def test_adding_a_host_with_a_where_now_profile(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/hosts/new", data={
        "role": "host", "name": "佐藤 健一", "former_department": "石炭部", "current_company": "カーボンリンク株式会社",
        "profile": "石炭部から起業。"})
    assert response.status_code == 302
    assert db.session.scalar(select(Host)).current_company == "カーボンリンク株式会社"


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "single_choice", "label": "テーブル", "choices": "A"}, "choices", "at least two"),
    ({"kind": "text", "label": ""}, "label", "This field is required."),
    ({"kind": "yes_no", "label": "懇親会", "choices": "はい\nいいえ"}, "choices", "Only choice questions"),
    ({"kind": "single_choice", "label": "テーブル", "choices": "A\nB\nC", "choices_translation": "Table A\nTable B"},
     "choices_translation", "one translation per choice"),
])
def test_bad_question_input_is_shown_and_kept(operator_client, make_event, data, field, message):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/questions/new", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    if data.get("choices"):
        assert data["choices"] in html
    assert db.session.scalar(select(Question)) is None


def test_adding_a_choice_question(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/questions/new", data={
        "kind": "multiple_choice", "label": "興味のあるテーマ", "choices": "脱炭素\n\nDX\n採用", "required": "y"})
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert question.choices == ["脱炭素", "DX", "採用"] and question.required


def test_a_choice_question_with_translated_choices_is_kept_and_edited(operator_client, make_event):
    event = make_event()
    operator_client.post(f"/admin/events/{event.slug}/questions/new", data={
        "kind": "single_choice", "label": "食事", "label_translation": "Meal",
        "choices": "肉\n魚", "choices_translation": "Meat\n\nFish"})
    question = db.session.scalar(select(Question))
    assert question.choices_translation == ["Meat", "Fish"]
    form = operator_client.get(f"/admin/events/{event.slug}/questions/{question.id}/edit").get_data(as_text=True)
    assert "Meat\nFish" in form


# --- the sessions on the operators' event page ------------------------------------------

def operators_session_titles(client, event) -> list[str]:
    """The title cell of each session row on the operators' event page, without its badge and room."""
    html = client.get(f"/admin/events/{event.slug}").get_data(as_text=True)
    return [title.strip() for title in re.findall(r'<tr id="session-\d+">\s*<td>[^<]*</td>\s*<td><div>([^<]*)<', html)]


@pytest.mark.parametrize("event_language, language, original, translation", [
    ("ja", "en", "A卓：起業", "Table A: start-ups"),  # an English operator of a Japanese event
    ("en", "ja", "Table A: start-ups", "A卓：起業"),  # a Japanese operator of an English event
])
def test_operators_read_session_titles_in_their_own_language_or_as_written(
        operator_in, make_event, make_session, event_language, language, original, translation):
    """As on the public page: the translation in the operator's language, the original without one."""
    event = make_event(language=event_language)
    make_session(event, title=original, title_translation=translation, room="会議室3", position=0)
    make_session(event, title="B卓", position=1)
    assert operators_session_titles(operator_in(language), event) == [translation, "B卓"]
