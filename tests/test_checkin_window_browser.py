"""The door screen in Debian's Chromium: the check-in window decided offline as the server decides
it, and the calm notice that this event is on another day."""
from __future__ import annotations

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from events_app.database import utcnow
from events_app.extensions import db
from events_app.tickets import services
from events_app.tickets.models import CheckIn
from tests.test_checkin_browser import open_door

pytestmark = pytest.mark.browser
TOKYO = ZoneInfo("Asia/Tokyo")


def _opening_message(event) -> str:
    opens = (event.starts_at - timedelta(minutes=event.checkin_opens_minutes)).astimezone(TOKYO)
    return f"受付は {opens.month}月{opens.day}日 {opens:%H:%M} からです"


@pytest.fixture
def door_page(db_backend, live_server, launch_browser, make_staff):
    def open_page(event, expected_count: int):
        page = launch_browser().new_context(locale="ja-JP").new_page()
        open_door(page, live_server, event, make_staff("operator"), expected_count)
        return page
    return open_page


def test_offline_the_door_refuses_a_ticket_before_the_window_opens(door_page, make_event, make_registration,
                                                                    make_person):
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(hours=3)
    event = make_event(slug="window-door", starts_at=starts, checkin_opens_minutes=60)
    make_registration(event, person=make_person(name="早乙女 早苗", name_kana="サオトメ サナエ"))
    page = door_page(event, 1)
    # The header says when the door opens.
    opens = (starts - timedelta(minutes=60)).astimezone(TOKYO)
    page.wait_for_selector("#checkin-window", state="visible", timeout=5000)
    assert page.inner_text("#checkin-window") == f"当日受付 {opens.month}月{opens.day}日 {opens:%H:%M} から"
    # Online the server says it, with the time.
    page.fill("#search-input", "さおとめ")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='too_early']", timeout=10000)
    assert _opening_message(event) in page.inner_text("#result-title")
    # Offline the device decides the same from its list: red, nothing queued.
    page.context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.evaluate("document.getElementById('result').dataset.result = ''")
    page.fill("#search-input", "")
    page.fill("#search-input", "さおとめ")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='too_early']", timeout=5000)
    assert "result-bad" in page.get_attribute("#result", "class")
    assert _opening_message(event) in page.inner_text("#result-title")
    assert "早乙女 早苗" in page.inner_text("#result-name")
    assert page.get_attribute("#queue-label", "data-count") in (None, "0")
    db.session.rollback()
    assert db.session.scalars(select(CheckIn)).all() == []


def test_the_door_says_when_the_event_is_on_another_day(door_page, make_event):
    evening = (utcnow().astimezone(TOKYO) + timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
    next_week = make_event(slug="next-week", starts_at=evening.astimezone(timezone.utc))
    page = door_page(next_week, 0)
    page.wait_for_selector("#event-day-notice", state="visible", timeout=5000)
    day = next_week.starts_at.astimezone(TOKYO)
    weekday = "月火水木金土日"[day.weekday()]
    assert page.inner_text("#event-day-notice") == f"このイベントの開催日は {day.month}月{day.day}日（{weekday}）です"


def test_no_notice_on_the_events_own_day(door_page, make_event):
    # Started ten minutes ago: today in Tokyo, whatever the hour.
    today = make_event(slug="today", starts_at=utcnow() - timedelta(minutes=10))
    page = door_page(today, 0)
    page.wait_for_function("document.getElementById('net-status').dataset.state", timeout=5000)
    assert page.is_hidden("#event-day-notice")


def test_a_window_set_while_the_door_is_open_reaches_it_at_the_next_poll_and_spares_those_inside(
        door_page, make_event, make_registration, make_person, make_token, live_server):
    import json
    import urllib.request

    starts = utcnow().replace(second=0, microsecond=0) + timedelta(hours=3)
    event = make_event(slug="moved-window", starts_at=starts)
    inside = make_registration(event, person=make_person(name="入場 済子", name_kana="ニュウジョウ スミコ"))
    inside.checked_in_at = utcnow() - timedelta(minutes=5)
    make_registration(event, person=make_person(name="早着 太郎", name_kana="ソウチャク タロウ"))
    db.session.commit()
    inside_code = services.ticket_code(inside)  # issued before the door loads its list
    page = door_page(event, 2)
    assert page.is_hidden("#checkin-window")  # no window yet
    token, _staff = make_token("operator")
    request = urllib.request.Request(f"{live_server.url}/api/v1/events/moved-window", method="PATCH",
                                     data=json.dumps({"checkin_opens_minutes": 60}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status == 200
    # The 5-second counts poll brings the window; no reload of the whole list.
    page.wait_for_function("Object.keys(localStorage).some(k => (localStorage.getItem(k) || '')"
                           ".includes('\"checkin_opens_at\":\"'))", timeout=15000)
    page.wait_for_selector("#checkin-window", state="visible", timeout=5000)  # and the header says it
    page.context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.fill("#search-input", "そうちゃく")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='too_early']", timeout=5000)
    db.session.expire_all()  # the window the server set
    assert _opening_message(event) in page.inner_text("#result-title")
    # Someone already inside is answered as such, not "too early".
    page.fill("#code-input", inside_code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='already_checked_in']", timeout=5000)
