"""An operator writes to an event's registrants in Chromium: compose, preview, send once, history;
schedule one for later and cancel it from the history."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from events_app.database import utcnow
from events_app.enums import MessageStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.models import RegistrantMessage
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


def test_operator_schedules_a_message_then_cancels_it_from_the_history(live_server, launch_browser, db_backend,
                                                                       make_event, make_registration, make_staff):
    event = make_event(title="アルムナイ交流会 春")
    make_registration(event)
    page = launch_browser().new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, make_staff("operator"), STAFF_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{event.slug}/messages")
    page.get_by_label("件名", exact=True).fill("懇親会のご案内")
    page.get_by_label("本文", exact=True).fill("当日は18時開場です。")
    when = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo(event.timezone))
    page.get_by_label("送信日時", exact=True).fill(when.strftime("%Y-%m-%dT%H:%M"))  # the event's wall clock
    page.get_by_role("button", name="プレビュー").click()
    page.get_by_role("button", name=re.compile("に送信予約する$")).click()

    top = page.locator("tr[id^=message-]").first
    top.wait_for()
    assert "送信予定" in top.inner_text() and "懇親会のご案内" in top.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # in case the button ever asks to confirm
    top.get_by_role("button", name="送信を取り消す").click()

    top = page.locator("tr[id^=message-]").first
    page.locator("tr[id^=message-]", has_text="オペレーターが取り消しました").wait_for()  # after the redirect
    assert "キャンセル" in top.inner_text()
    assert top.get_by_role("button", name="送信を取り消す").count() == 0
    db.session.rollback()
    [status] = db.session.scalars(select(RegistrantMessage.status).where(RegistrantMessage.event_id == event.id))
    assert status == MessageStatus.CANCELLED
