"""出席 on the dashboard and the event's admin page counts who came in person and online, as the
report does, with the split shown at hybrid events."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events_app.database import utcnow
from events_app.enums import EventKind
from tests.conftest import in_days


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


def attended_cell(html: str, slug: str) -> str:
    row = html.split(f'<tr id="event-{slug}">')[1].split("</tr>")[0]
    return re.search(r'data-label="出席">(.*?)</td>', row, re.S).group(1)


def attended_card(html: str) -> str:
    return re.search(r'<p class="muted">出席</p>(.*?)</div>', html, re.S).group(1)


def report_attended(client, slug, headers) -> int:
    return client.get(f"/api/v1/events/{slug}/report", headers=headers).get_json()["key_figures"]["attended"]


@pytest.fixture
def webinar(make_event, make_registration):
    """A webinar held yesterday: two joined by link, one did not."""
    event = make_event(kind=EventKind.WEBINAR, online_capacity=100, starts_at=in_days(-1))
    joined = utcnow() - timedelta(days=1)
    for at in (joined, joined, None):
        make_registration(event, attendance_mode="online", online_joined_at=at)
    return event


@pytest.fixture
def hybrid(make_event, make_registration):
    """A hybrid event held yesterday: one checked in at the venue, two joined online (one of whom
    also came to the venue, counted once, in person), one absent."""
    event = make_event(kind=EventKind.HYBRID, online_capacity=50, starts_at=in_days(-1))
    at = utcnow() - timedelta(days=1)
    make_registration(event, checked_in_at=at)
    make_registration(event, attendance_mode="online", online_joined_at=at)
    make_registration(event, attendance_mode="online", online_joined_at=at, checked_in_at=at)
    make_registration(event)
    return event


def test_dashboard_counts_a_webinars_online_attendees(client, operator, webinar, staff_token):
    cell = attended_cell(client.get("/admin/").get_data(as_text=True), webinar.slug)
    assert re.sub(r"\s+", "", cell).startswith("<span>2")
    assert report_attended(client, webinar.slug, staff_token) == 2


def test_event_page_counts_a_webinars_online_attendees(client, operator, webinar):
    card = attended_card(client.get(f"/admin/events/{webinar.slug}").get_data(as_text=True))
    assert '<p class="stat">2</p>' in card


def test_hybrid_event_shows_the_total_and_the_split(client, operator, hybrid, staff_token):
    assert report_attended(client, hybrid.slug, staff_token) == 3
    cell = attended_cell(client.get("/admin/").get_data(as_text=True), hybrid.slug)
    assert re.sub(r"\s+", "", cell).startswith("<span>3") and "会場 2・オンライン 1" in cell
    card = attended_card(client.get(f"/admin/events/{hybrid.slug}").get_data(as_text=True))
    assert '<p class="stat">3</p>' in card and "会場 2・オンライン 1" in card
