"""Walk-ins are counted the same way by the door's live counts and the report: people registered
at the door who were admitted (confirmed); a walk-in the full event put on the waitlist is not one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest


@pytest.fixture
def one_seat_left(make_event, make_registration):
    now = datetime.now(timezone.utc)
    event = make_event(capacity=2, starts_at=now - timedelta(hours=1))
    make_registration(event)
    return event


def walk_in(client, event, n: int) -> dict:
    return client.post(f"/checkin/{event.slug}/api/walk-in", json={
        "name": f"飛び込み {n}", "name_kana": "トビコミ " + "イニ"[n - 1], "email": f"walkin{n}@example.jp",
        "affiliation": "guest", "company": "個人"}).get_json()


def test_door_and_report_count_only_the_walk_in_who_got_the_seat(client, login, make_staff, staff_token,
                                                                   one_seat_left):
    login(make_staff("operator"))
    assert walk_in(client, one_seat_left, 1)["result"] == "ok"
    assert walk_in(client, one_seat_left, 2)["result"] == "waitlisted"
    door = client.get(f"/api/v1/checkin/events/{one_seat_left.slug}/counts", headers=staff_token).get_json()
    report = client.get(f"/api/v1/events/{one_seat_left.slug}/report", headers=staff_token).get_json()
    assert door["walk_ins"] == report["key_figures"]["walk_ins"] == 1


def test_report_page_says_which_walk_ins_it_counts(client, login, make_staff, make_event, db_backend):
    login(make_staff("operator"))
    event = make_event(starts_at=datetime.now(timezone.utc) - timedelta(days=2))
    page = client.get(f"/admin/events/{event.slug}/reports").get_data(as_text=True)
    assert "満席でキャンセル待ちになった方は含みません。" in page
