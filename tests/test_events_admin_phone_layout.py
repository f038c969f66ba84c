"""The operators' event page in Debian's Chromium: its sessions table reads on a phone, stays a table on a desk."""
from __future__ import annotations

from datetime import timedelta

import pytest

from events_app.enums import SessionKind
from events_app.events.models import Host
from events_app.extensions import db
from tests.conftest import STAFF_PASSWORD
from tests.support import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def programme(make_event, make_session):
    """A hybrid mixer with a timetable and breakout tables whose titles, hosts and rooms run long
    (English words break only between them, so they are what push a table past a phone's width)."""
    event = make_event(kind="hybrid", online_url="https://meet.example.com/m", title="アルムナイ大交流会")
    host = Host(event_id=event.id, name="Christopher Montgomery-Fitzwilliam")
    db.session.add(host)
    db.session.commit()
    start = event.starts_at
    sessions = [
        make_session(event, kind=SessionKind.TIMETABLE, title="開会のご挨拶と本日の進め方について",
                     starts_at=start, ends_at=start + timedelta(minutes=15), capacity=None),
        make_session(event, title="テーブルA：商社からスタートアップへ ― キャリアの転機と資金調達のリアル",
                     starts_at=start + timedelta(minutes=15), ends_at=start + timedelta(minutes=75),
                     host_id=host.id, room="本社 20階 ラウンジ 窓側テーブル（プロジェクター付き）", capacity=12),
        make_session(event, title="Decarbonisation: hydrogen supply-chains and internationalisation",
                     starts_at=start + timedelta(minutes=15), ends_at=start + timedelta(minutes=75),
                     host_id=host.id, room="Marunouchi 20F Lounge, window side", capacity=8),
    ]
    return event, sessions


@pytest.fixture
def operator_browser(programme, live_server, launch_browser, make_staff):
    """open(viewport) -> a signed-in operator's page showing the event's admin page at that size."""
    staff = make_staff("operator")
    browser = launch_browser()
    event, _ = programme

    def open_page(viewport: dict):
        page = browser.new_context(locale="ja-JP", viewport=viewport, is_mobile=viewport == PHONE).new_page()
        sign_in(page, live_server.url, staff, STAFF_PASSWORD)
        page.goto(f"{live_server.url}/admin/events/{event.slug}")
        return page
    return open_page


def _within_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.evaluate("innerWidth")


def test_nothing_scrolls_sideways_on_a_phone(operator_browser):
    page = operator_browser(PHONE)
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    wrap = page.locator("#programme .table-wrap")  # a table squeezed into a scrolling box hides its columns
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")


def test_each_sessions_title_and_time_are_on_the_phone_screen(operator_browser, programme):
    page = operator_browser(PHONE)
    event, sessions = programme
    for session in sessions:
        row = page.locator(f"#session-{session.id}")
        time = f"{session.starts_at.astimezone(event.tz):%H:%M}–{session.ends_at.astimezone(event.tz):%H:%M}"
        for text in (session.title, time):
            shown = row.get_by_text(text, exact=False).first
            assert shown.is_visible() and _within_screen(page, shown), (session.title, text)


def test_each_sessions_seats_and_actions_are_on_the_phone_screen(operator_browser, programme):
    page = operator_browser(PHONE)
    _, sessions = programme
    for session in sessions:
        row = page.locator(f"#session-{session.id}")
        seats = "—" if session.capacity is None else f"0 / {session.capacity}"
        for shown in (row.get_by_text(seats, exact=True), row.get_by_role("link", name="編集")):
            assert shown.is_visible() and _within_screen(page, shown), (session.title, seats)


def test_the_sessions_stay_a_table_with_its_header_on_a_desk(operator_browser):
    page = operator_browser({"width": 1280, "height": 900})
    assert page.locator("#programme table thead").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('#programme tbody tr')).display") == "table-row"
