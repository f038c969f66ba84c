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
