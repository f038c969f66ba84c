"""The operators' registration pages as staff read them: counts per attendance mode, translated
labels instead of internal codes, space-blind name search, the waitlist move's real position."""
from __future__ import annotations

import re

import pytest



def row(page: str, registration_id: int) -> str:
    match = re.search(rf'<tr id="reg-{registration_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for registration {registration_id}"
    return match.group(1)


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


def test_moving_past_the_end_of_the_waitlist_says_the_real_position(client, db_backend, operator, make_event,
                                                                     make_registration):
    event = make_event(capacity=0)
    waiting = [make_registration(event, status="waitlisted", waitlist_rank=i) for i in range(1, 5)]
    page = client.post(f"/admin/registrations/{waiting[0].id}/move", data={"position": "99"},
                       follow_redirects=True).get_data(as_text=True)
    assert "キャンセル待ちの 4 番目に移動しました。" in page
    assert "99 番目" not in page
    assert "#4" in row(page, waiting[0].id)
