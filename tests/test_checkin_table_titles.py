"""The door screen's breakout tables read in the screen's language, also a table added after the
page loaded: the counts answer carries `display_title`, the title the page renders at load."""
from __future__ import annotations

import pytest


@pytest.fixture
def door_page(client, db_backend, login, make_staff, make_event):
    """open_door(language, event_language="ja"): an operator with the door screen open, no table yet."""
    def open_door(language: str, *, event_language: str = "ja"):
        event = make_event(slug="tables", language=event_language)
        login(make_staff("operator"))
        assert client.get(f"/checkin/tables?lang={language}").status_code == 200
        return event
    return open_door


def counts_titles(client, language: str) -> list[tuple[str, str]]:
    answer = client.get(f"/checkin/tables/api/counts?lang={language}").get_json()
    return [(s["title"], s["display_title"]) for s in answer["sessions"]]


@pytest.mark.parametrize("event_language, language, shown", [
    ("ja", "en", "Table A: alumni and start-ups"),  # an English screen on a Japanese event
    ("ja", "ja", "テーブルA：アルムナイと起業"),
    ("en", "ja", "テーブルA：アルムナイと起業"),  # an English event read in Japanese
    ("en", "en", "Table A: alumni and start-ups"),
])
def test_a_table_added_after_the_page_loaded_reads_in_the_screens_language(client, door_page, make_session,
                                                                           event_language, language, shown):
    event = door_page(language, event_language=event_language)
    original, translation = (("テーブルA：アルムナイと起業", "Table A: alumni and start-ups") if event_language == "ja"
                             else ("Table A: alumni and start-ups", "テーブルA：アルムナイと起業"))
    make_session(event, title=original, title_translation=translation)
    assert counts_titles(client, language) == [(original, shown)]


def test_a_table_without_a_translation_reads_as_written(client, door_page, make_session):
    event = door_page("en")
    make_session(event, title="B卓")
    assert counts_titles(client, "en") == [("B卓", "B卓")]


def test_the_counts_answer_matches_the_titles_the_page_renders_at_load(client, door_page, make_session):
    event = door_page("en")
    make_session(event, title="A卓", title_translation="Table A")
    html = client.get("/checkin/tables?lang=en").get_data(as_text=True)
    assert '<span class="session-count-title" title="Table A">Table A</span>' in html
    assert counts_titles(client, "en") == [("A卓", "Table A")]


def test_a_table_added_after_the_page_loaded_carries_its_room_for_the_table_choice(client, door_page, make_session):
    """The page's choice reads "title (room)"; the counts answer carries the room to build it."""
    event = door_page("en")
    make_session(event, title="A卓", title_translation="Table A", room="会議室3")
    make_session(event, title="B卓")
    answer = client.get("/checkin/tables/api/counts?lang=en").get_json()
    assert [s["room"] for s in answer["sessions"]] == ["会議室3", ""]


# --- the answer to a check-in at a table ----------------------------------------------------

@pytest.fixture
def table_scan(client, door_page, make_session, make_registration):
    """table_scan(language, **table) -> the door's answer to a check-in at a new table, and the table."""
    from events_app.extensions import db
    from events_app.registration.models import RegistrationSession
    from events_app.tickets import codes, services

    def scan(language: str, *, event_language: str = "ja", **table_fields):
        event = door_page(language, event_language=event_language)
        table = make_session(event, **table_fields)
        registration = make_registration(event)
        db.session.add(RegistrationSession(registration_id=registration.id, session_id=table.id, status="confirmed"))
        db.session.commit()
        code = codes.ticket_url(services.ticket_code(registration))
        answer = client.post(f"/checkin/tables/api/scan?lang={language}", json={"code": code, "session_id": table.id})
        assert answer.status_code == 200 and answer.get_json()["result"] == "ok", answer.get_data(as_text=True)
        return answer.get_json()["session"], table
    return scan


@pytest.mark.parametrize("event_language, language, original, translation", [
    ("ja", "en", "A卓", "Table A"),  # an English screen on a Japanese event
    ("en", "ja", "Table A", "A卓"),  # a Japanese screen on an English event
])
def test_the_answer_to_a_table_check_in_names_the_table_in_the_screens_language(table_scan, event_language, language,
                                                                               original, translation):
    session, table = table_scan(language, event_language=event_language, title=original,
                                title_translation=translation)
    assert session == {"id": table.id, "title": original, "display_title": translation}  # `title` as clients know it


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_answer_to_a_check_in_at_an_untranslated_table_names_it_as_written(table_scan, language):
    session, table = table_scan(language, title="B卓")
    assert session == {"id": table.id, "title": "B卓", "display_title": "B卓"}
