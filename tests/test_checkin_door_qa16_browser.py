"""The door screen in Chromium, after QA's phone session: a walk-in refused before the check-in
window opens keeps what was typed and says why next to its button; the sync line warns (amber,
pointing below) when the server refused an offline admission; the wrong-day notice stands out and
keeps each date whole on a 390px phone."""
from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from events_app.database import utcnow, write_transaction
from events_app.events.models import Event
from events_app.extensions import db
from events_app.people.models import Person
from events_app.registration.models import Registration
from events_app.tickets import services
from tests.test_checkin_browser import door_browser, open_door  # noqa: F401  (door_browser: a fixture)
from tests.test_checkin_browser_qa15 import admit_offline, cancel, go_offline

pytestmark = pytest.mark.browser
TOKYO = ZoneInfo("Asia/Tokyo")
PHONE = {"width": 390, "height": 844}


def registrations_for(email: str) -> list[Registration]:
    db.session.rollback()  # see what the server committed
    return db.session.scalars(select(Registration).join(Registration.person).where(Person.email == email)).all()


def in_viewport(page, selector: str) -> bool:
    # Scrolled to the top of the screen is 0, or a sub-pixel hair above it.
    return page.eval_on_selector(selector, "el => { const r = el.getBoundingClientRect();"
                                           " return r.top >= -1 && r.top < window.innerHeight; }")


def walk_in_on_a_phone(launch_browser, live_server, event, staff, expected_count: int, name: str, email: str):
    """The door open on a phone, its walk-in form opened and sent; returns the page."""
    page = launch_browser().new_context(locale="ja-JP", viewport=PHONE).new_page()
    open_door(page, live_server, event, staff, expected_count)
    page.click("details summary:has-text('当日参加の登録')")
    fill_walk_in(page, name, email)
    return page


def fill_walk_in(page, name: str, email: str):
    page.fill("#w-name", name)
    page.fill("#w-kana", "トビコミ タロウ")
    page.fill("#w-email", email)
    page.fill("#w-company", "株式会社ツナグ")
    page.click("#walkin-form button[type=submit]")


def test_a_walk_in_refused_before_the_window_keeps_the_form_and_says_why_by_the_button(
        db_backend, live_server, launch_browser, make_event, make_staff):
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(hours=3)
    event = make_event(slug="window-walk-in", starts_at=starts, checkin_opens_minutes=60)
    opens = (starts - timedelta(minutes=60)).astimezone(TOKYO)
    message = f"受付は {opens.month}月{opens.day}日 {opens:%H:%M} からです"
    page = walk_in_on_a_phone(launch_browser, live_server, event, make_staff("operator"), 0,
                              "飛び込み 太郎", "walkin@example.jp")
    page.wait_for_selector("#result[data-result='too_early']", timeout=10000)
    page.wait_for_function("document.getElementById('walkin-errors').textContent.length > 0", timeout=5000)
    assert message in page.inner_text("#walkin-errors") and message in page.inner_text("#result-title")
    assert in_viewport(page, "#walkin-errors")
    assert page.input_value("#w-name") == "飛び込み 太郎" and page.input_value("#w-email") == "walkin@example.jp"
    assert page.input_value("#w-kana") == "トビコミ タロウ" and page.input_value("#w-company") == "株式会社ツナグ"
    assert registrations_for("walkin@example.jp") == []

    # The door opens (the window widened here): the same form registers and empties, as before,
    # and the green result is brought into view above.
    with write_transaction() as session:
        session.get(Event, event.id).checkin_opens_minutes = 240
    page.click("#walkin-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    page.wait_for_function("document.getElementById('w-name').value === ''", timeout=5000)
    assert page.input_value("#w-email") == "" and page.inner_text("#walkin-errors") == ""
    assert in_viewport(page, "#result")
    registered = registrations_for("walkin@example.jp")
    assert len(registered) == 1 and registered[0].checked_in_at is not None


def test_the_sync_line_warns_and_points_below_when_the_server_refused_an_admission(door_browser):
    page, context, registration = door_browser
    go_offline(page, context)
    admit_offline(page, services.ticket_code(registration))
    cancel(registration)
    context.set_offline(False)
    page.wait_for_selector("#sync-notice li[data-kind='refused']", timeout=15000)
    page.wait_for_selector("#sync-status:not([hidden])", timeout=5000)
    assert page.inner_text("#sync-status") == "1 件はサーバーで認められませんでした（下のお知らせを確認してください）"
    classes = page.get_attribute("#sync-status", "class").split()
    assert "flash-warning" in classes and "flash-success" not in classes
    assert page.get_attribute("#sync-status", "data-tone") == "warn"
    colour = page.eval_on_selector("#sync-status", "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(253, 240, 217)"  # the amber tint of .flash-warning, not the green of success
    # "Below" holds on a laptop and on a phone: the notice starts under the line.
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        line, notice = page.locator("#sync-status").bounding_box(), page.locator("#sync-notice").bounding_box()
        assert notice["y"] >= line["y"] + line["height"]


def test_the_wrong_day_notice_is_amber_and_keeps_each_date_whole_on_a_phone(
        db_backend, live_server, launch_browser, make_event, make_staff, tmp_path):
    evening = (utcnow().astimezone(TOKYO) + timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
    starts = evening.astimezone(timezone.utc)
    # Two days: the longest notice, two dates to keep whole.
    event = make_event(slug="two-days", starts_at=starts, ends_at=starts + timedelta(days=1))
    page = launch_browser().new_context(locale="ja-JP", viewport=PHONE).new_page()
    open_door(page, live_server, event, make_staff("operator"), 0)
    page.wait_for_selector("#event-day-notice", state="visible", timeout=5000)
    assert "flash-warning" in page.get_attribute("#event-day-notice", "class").split()
    dates = page.locator("#event-day-notice .nowrap")
    assert dates.count() == 2
    first, last = starts.astimezone(TOKYO), (starts + timedelta(days=1)).astimezone(TOKYO)
    assert [dates.nth(i).inner_text() for i in range(2)] == [
        f"{d.month}月{d.day}日（{'月火水木金土日'[d.weekday()]}）" for d in (first, last)]
    for i in range(2):  # each date on one line
        assert dates.nth(i).evaluate("el => el.getClientRects().length") == 1
    page.screenshot(path=str(tmp_path / "wrong-day-notice-390.png"))


def test_a_walk_in_at_a_full_event_is_registered_on_the_waiting_list_and_the_form_empties(
        db_backend, live_server, launch_browser, make_event, make_registration, make_staff):
    # Not a refusal of the walk-in: they are registered (waitlisted), so the form is done with.
    event = make_event(slug="full-walk-in", starts_at=utcnow() + timedelta(minutes=30), capacity=1)
    make_registration(event)
    page = walk_in_on_a_phone(launch_browser, live_server, event, make_staff("operator"), 1,
                              "満席 次郎", "waitlisted@example.jp")
    page.wait_for_selector("#result[data-result='waitlisted']", timeout=10000)
    page.wait_for_function("document.getElementById('w-name').value === ''", timeout=5000)
    assert page.inner_text("#walkin-errors") == ""
    registered = registrations_for("waitlisted@example.jp")
    assert len(registered) == 1 and registered[0].status.value == "waitlisted"
