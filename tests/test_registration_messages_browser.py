"""An operator writes to an event's registrants in Chromium: compose, preview, send once, history."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from tests.conftest import STAFF_PASSWORD
from tests.support import sign_in
from tests.test_accessibility_browser import violations

pytestmark = pytest.mark.browser


def test_operator_previews_then_sends_once(live_server, launch_browser, db_backend, make_event, make_registration,
                                           make_staff):
    event = make_event(title="アルムナイ交流会 冬")
    for _i in range(3):
        make_registration(event)
    staff = make_staff("operator")
    page = launch_browser().new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{event.slug}/messages")
    page.get_by_label("件名", exact=True).fill("会場変更のお知らせ")
    page.get_by_label("本文", exact=True).fill("会場が12階に変わりました。\nhttps://example.jp/map")
    page.get_by_role("button", name="プレビュー").click()

    send = page.get_by_role("button", name="3 人に送信する")  # the count, before anything is sent
    shown = page.frame_locator("iframe").first.locator("body")  # the HTML mail as it will look
    assert "会場が12階に変わりました。" in shown.inner_text()
    assert shown.get_by_role("link", name="https://example.jp/map").count() == 1
    assert violations(page) == []
    db.session.rollback()
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    send.dblclick()  # an impatient double click still sends once
    # The second submit may abort the first one's navigation, so wait for the history row itself.
    row = page.locator("tr[id^=message-]")
    row.wait_for()
    assert "会場変更のお知らせ" in row.inner_text()  # the history lists it
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 3
