"""The switch between in person and online in Chromium: it works on a phone without JavaScript,
and the attendee's and operators' pages that show it pass axe-core."""
from __future__ import annotations

import pytest

from events_app.enums import AttendanceMode, RegistrationStatus
from events_app.extensions import db
from events_app.registration.models import Registration
from tests.conftest import STAFF_PASSWORD
from tests.support import require, sign_in
from tests.switch_support import hybrid_fields, register
from tests.test_accessibility_browser import AXE, violations

pytestmark = pytest.mark.browser


def test_a_phone_without_javascript_switches_online_and_the_pages_pass_axe(
        app, db_backend, live_server, launch_browser, make_event, make_staff):
    require(AXE.is_file(), "axe-core is needed in tests/js/node_modules (run: cd tests/js && npm ci)")
    event = make_event(**hybrid_fields(title="冬のアルムナイ交流会", capacity=1, online_capacity=5))
    leaving, token = register(event, 1)
    waiting, _ = register(event, 2)
    browser = launch_browser()

    with_js = browser.new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
    with_js.goto(f"{live_server.url}/r/{token}")
    assert violations(with_js) == []

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", java_script_enabled=False,
                                  extra_http_headers={"Accept-Language": "ja"})
    phone = context.new_page()
    phone.goto(f"{live_server.url}/r/{token}")
    section = phone.locator("#attendance")
    assert "会場のお席はキャンセル待ちの方にお譲りします" in section.inner_text()
    section.get_by_role("button", name="オンライン参加に切り替える").click()
    phone.wait_for_load_state()
    assert "オンライン参加に切り替え、参加が確定しました。" in phone.locator("main").inner_text()
    assert phone.get_by_role("link", name="オンラインで参加する").count() == 1
    context.close()

    db.session.rollback()
    mine, next_in_line = db.session.get(Registration, leaving), db.session.get(Registration, waiting)
    assert (mine.status, mine.attendance_mode) == (RegistrationStatus.CONFIRMED, AttendanceMode.ONLINE)
    assert next_in_line.status == RegistrationStatus.CONFIRMED

    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    sign_in(desk, live_server.url, make_staff("operator"), STAFF_PASSWORD)
    desk.goto(f"{live_server.url}/admin/registrations/{leaving}")  # the venue is full again: no button
    assert "会場が満席のため、今は会場参加に切り替えられません。" in desk.locator("#attendance").inner_text()
    desk.goto(f"{live_server.url}/admin/registrations/{waiting}")
    assert desk.locator("#attendance button").inner_text() == "オンライン参加に切り替える"
    assert violations(desk) == []
