"""The operator's registration pages show attendance: the state and history on a registration's
page, and a column and a filter on the list."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events_app.database import utcnow
from events_app.enums import EventKind
from events_app.extensions import db


@pytest.fixture
def operator(make_staff, login):
    user = make_staff("operator", name="受付 太郎")
    login(user)
    return user


def check_in_and_undo(event, registration, staff):
    from events_app.tickets.services import check_in_registration, undo_check_in

    check_in_registration(event, registration.id, staff=staff, device="iPad 1")
    undo_check_in(event, registration.id, staff=staff, reason="別の人でした")
    check_in_registration(event, registration.id, staff=staff, device="iPad 2")


def test_registration_page_shows_who_checked_in_when_and_the_check_in_history(client, operator, make_event,
                                                                              make_registration):
    event = make_event()
    registration = make_registration(event)
    check_in_and_undo(event, registration, operator)
    page = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    state = page[page.index('id="check-in"'):]
    assert "受付済み" in state and "受付 太郎" in state
    assert "未受付" not in state
    assert re.findall(r'data-kind="(\w+)"', state) == ["check_in", "undo", "check_in"]
    assert "別の人でした" in state and "iPad 2" in state
    assert f'href="/checkin/{event.slug}/history"' in state


def test_registration_page_shows_an_online_join(client, operator, make_event, make_registration):
    event = make_event(kind=EventKind.WEBINAR, online_capacity=100)
    registration = make_registration(event, attendance_mode="online", online_joined_at=utcnow() - timedelta(minutes=5))
    state = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True).split('id="check-in"')[1]
    assert "オンライン参加" in state and "未受付" not in state


def test_registration_page_says_when_nobody_checked_in(client, operator, make_event, make_registration):
    registration = make_registration(make_event())
    state = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True).split('id="check-in"')[1]
    assert "未受付" in state and "この申込の受付・オンライン参加の記録はまだありません。" in state


def row_of(html: str, registration_id: int) -> str:
    return html.split(f'<tr id="reg-{registration_id}">')[1].split("</tr>")[0]


def shown_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr id="reg-(\d+)">', html)}


@pytest.fixture
def hybrid(operator, make_event, make_registration):
    event = make_event(online_capacity=50)
    came = make_registration(event)
    online = make_registration(event, attendance_mode="online", online_joined_at=utcnow())
    absent = make_registration(event)
    from events_app.tickets.services import check_in_registration

    check_in_registration(event, came.id, staff=operator)
    db.session.commit()
    return event, {"came": came.id, "online": online.id, "absent": absent.id}


def test_list_has_a_check_in_column(client, hybrid):
    event, ids = hybrid
    page = client.get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    assert "<th>受付状況</th>" in page
    assert "受付済み" in row_of(page, ids["came"])
    assert "オンライン参加" in row_of(page, ids["online"])
    assert "—" in row_of(page, ids["absent"]) and "受付済み" not in row_of(page, ids["absent"])


@pytest.mark.parametrize(("value", "who"), [("checked_in", "came"), ("joined_online", "online"),
                                            ("not_yet", "absent")])
def test_list_filters_by_check_in_state(client, hybrid, value, who):
    event, ids = hybrid
    page = client.get(f"/admin/events/{event.slug}/registrations?checked_in={value}").get_data(as_text=True)
    assert shown_ids(page) == {ids[who]}
    assert f'<option value="{value}" selected>' in page
