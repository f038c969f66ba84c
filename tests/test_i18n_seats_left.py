"""Seats and places left are counted in proper English plurals ("1 seat left"); Japanese has one
form ("残り 1 席")."""
from __future__ import annotations

import pytest

from events_app.enums import EventKind
from events_app.extensions import db


@pytest.fixture
def hybrid(make_event, make_session):
    """A hybrid event with `left` seats at the venue, `left` places online and a table with `left` seats."""
    def build(left: int):
        event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example.com/x",
                           capacity=10, online_capacity=10)
        event.seats_taken = event.online_seats_taken = 10 - left
        db.session.commit()
        make_session(event, title="テーブルA", capacity=10).seats_taken = 10 - left
        db.session.commit()
        return event
    return build


def page(client, path: str, lang: str) -> str:
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


@pytest.mark.parametrize("left, wording", [
    (1, ["Venue: 1 seat left", "Online: 1 place left"]),
    (2, ["Venue: 2 seats left", "Online: 2 places left"]),
])
def test_the_event_page_counts_in_english_plurals(client, db_backend, hybrid, left, wording):
    html = page(client, f"/events/{hybrid(left).slug}", "en")
    for text in wording:
        assert text in html
    assert "1 seats" not in html and "1 places" not in html


@pytest.mark.parametrize("left, wording", [(1, "1 seat left"), (3, "3 seats left")])
def test_the_event_list_badge_counts_in_english_plurals(client, db_backend, hybrid, left, wording):
    hybrid(left)
    assert wording in page(client, "/events", "en")


@pytest.mark.parametrize("left, wording", [
    (1, ["In person: 1 seat left.", "Online: 1 place left.", "1 seat left"]),
    (2, ["In person: 2 seats left.", "Online: 2 places left.", "2 seats left"]),
])
def test_the_registration_form_counts_in_english_plurals(client, db_backend, hybrid, left, wording):
    html = page(client, f"/events/{hybrid(left).slug}/register", "en")
    for text in wording:
        assert text in html
    assert "1 seats" not in html and "1 places" not in html


def test_a_full_venue_names_the_online_places_left_in_english_plurals(client, db_backend, hybrid):
    event = hybrid(1)
    event.seats_taken = 10
    db.session.commit()
    assert "The venue is full, but 1 place is left online." in page(client, f"/events/{event.slug}/register", "en")


def test_japanese_keeps_its_one_form(client, db_backend, hybrid):
    event = hybrid(1)
    assert "会場：残り 1 席" in page(client, f"/events/{event.slug}", "ja")
    assert "残り 1 席" in page(client, "/events", "ja")
    register = page(client, f"/events/{event.slug}/register", "ja")
    assert "会場参加：残り 1 席。" in register and "オンライン参加：残り 1 名。" in register
