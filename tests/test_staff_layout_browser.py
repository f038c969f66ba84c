"""Operators' pages on a desktop screen in Debian's Chromium: room for their tables, headings whole."""
from __future__ import annotations

import pytest

from events_app.enums import EventKind
from tests.conftest import STAFF_PASSWORD
from tests.support import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def operator_page(live_server, launch_browser, make_staff, make_event):
    make_event(title="アルムナイ交流会 冬", kind=EventKind.HYBRID, online_capacity=100)
    staff = make_staff("operator")
    browser = launch_browser()
    page = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    return page


def test_dashboard_headings_stay_on_one_line_and_buttons_stay_together(operator_page, live_server):
    page = operator_page
    page.goto(f"{live_server.url}/admin/")
    heights = page.eval_on_selector_all(".dashboard-table th", "ths => ths.map(th => th.getBoundingClientRect().height)")
    assert len(heights) >= 6 and max(heights) == min(heights)  # 「ステータス」「キャンセル待ち」 unbroken
    outbox = page.get_by_role("link", name="送信メール").bounding_box()
    new_event = page.get_by_role("link", name="新規イベント").bounding_box()
    assert 0 <= new_event["x"] - (outbox["x"] + outbox["width"]) < 40  # side by side, not spread apart
    assert page.locator("main").bounding_box()["width"] > 1100  # the operators' wider page


def test_public_pages_keep_their_reading_width(operator_page, live_server):
    page = operator_page
    page.goto(f"{live_server.url}/events")
    assert page.locator("main").bounding_box()["width"] <= 960
