"""The door screen in Chromium, as QA used it on a phone: offline admissions the server refuses
at sync, a session that ended with admissions queued, codes the device does not know offline,
checking in for a table from search, the walk-in form's highlights and where the focus goes."""
from __future__ import annotations

import pytest

from events_app.database import write_transaction
from events_app.enums import RegistrationStatus
from events_app.extensions import db
from events_app.registration.models import Registration, RegistrationSession
from events_app.tickets import services
from tests.conftest import STAFF_PASSWORD
from tests.test_checkin_browser import (  # noqa: F401  (door_browser: a fixture)
    check_ins, door_browser, open_door, submit_walk_in_with_a_bad_email,
)

pytestmark = pytest.mark.browser


def go_offline(page, context):
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)


def admit_offline(page, code: str):
    page.fill("#code-input", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)


def cancel(registration):
    # The door page polls meanwhile: write as the app does (SQLite: BEGIN IMMEDIATE, waiting its turn).
    with write_transaction() as session:
        session.get(Registration, registration.id).status = RegistrationStatus.CANCELLED


def reissue(registration):
    services.reissue_ticket(registration.id, actor=None, reason="lost phone")
    db.session.commit()


@pytest.mark.parametrize("meanwhile, reason", [(cancel, "この申込はキャンセル済みです"),
                                               (reissue, "このチケットは再発行により無効になっています")])
def test_an_offline_admission_the_server_refuses_is_named_with_its_reason_until_dismissed(
        door_browser, meanwhile, reason):
    page, context, registration = door_browser
    code = services.ticket_code(registration)
    go_offline(page, context)
    admit_offline(page, code)
    meanwhile(registration)
    context.set_offline(False)
    page.wait_for_selector("#sync-notice li[data-kind='refused']", timeout=15000)
    notice = page.inner_text("#sync-notice")
    assert "高橋 直子" in notice and reason in notice and "受付済みになっていません" in notice
    # Not counted as synced, and the panel that showed green says it was refused.
    assert "同期しました" not in page.inner_text("#sync-status")
    assert "認められませんでした" in page.inner_text("#sync-status")
    assert page.get_attribute("#result", "data-result") == "refused"
    assert "result-bad" in page.get_attribute("#result", "class")
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=5000)
    page.wait_for_timeout(6000)  # the next polls and list refresh leave it standing
    assert page.is_visible("#sync-notice li[data-kind='refused']")
    page.click("#sync-notice-close")
    assert page.is_hidden("#sync-notice")


def test_a_door_whose_session_ended_keeps_its_queue_and_asks_to_sign_in_again(door_browser, live_server):
    page, context, registration = door_browser
    go_offline(page, context)
    admit_offline(page, services.ticket_code(registration))
    context.clear_cookies()  # signed out meanwhile (or the browser reopened without its cookie)
    context.set_offline(False)
    page.wait_for_selector("#signin-notice:not([hidden])", timeout=15000)
    assert "もう一度ログイン" in page.inner_text("#signin-notice")
    assert "1 件" in page.inner_text("#signin-text")
    page.wait_for_timeout(6000)  # a sync attempt or two later: nothing dropped, nothing sent
    assert page.get_attribute("#queue-label", "data-count") == "1"
    assert check_ins() == []
    # The link signs in and comes back to the door, which sends what waited.
    page.click("#signin-link")
    staff_email = page.evaluate("document.getElementById('checkin') ? null : location.pathname")
    assert staff_email == "/login"
    page.fill("input[name=email]", registration_staff_email(registration))
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#checkin", timeout=10000)
    assert page.url.endswith(f"/checkin/{registration.event.slug}")
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    assert [r.source.value for r in check_ins()] == ["offline_sync"]
    assert page.is_hidden("#signin-notice")


def registration_staff_email(registration) -> str:
    from events_app.auth.models import EventStaff, StaffUser

    db.session.rollback()
    staff_id = db.session.scalar(db.select(EventStaff.user_id).where(EventStaff.event_id == registration.event_id))
    return db.session.get(StaffUser, staff_id).email


def test_a_scan_with_the_session_gone_is_queued_not_refused_as_unreadable(door_browser):
    page, context, registration = door_browser
    context.clear_cookies()
    page.fill("#code-input", services.ticket_code(registration))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result]:not([data-result=''])", timeout=10000)
    assert page.get_attribute("#result", "data-result") == "ok"
    assert "解釈できません" not in page.inner_text("#result")
    assert page.get_attribute("#queue-label", "data-count") == "1"
    assert page.is_visible("#signin-notice")


def test_offline_a_code_the_device_does_not_know_is_not_called_forged(door_browser):
    page, context, registration = door_browser
    go_offline(page, context)
    reissue(registration)  # a new ticket the device's list has not seen
    db.session.refresh(registration)
    page.fill("#code-input", services.ticket_code(registration))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='unknown_code']", timeout=5000)
    title = page.inner_text("#result-title")
    assert "この端末の名簿にない" in title and "名前で検索" in title
    assert "当システムのチケットではありません" not in title


def test_a_page_without_web_crypto_says_the_offline_code_check_needs_https(door_browser, live_server):
    page, context, registration = door_browser  # the list is on this device now
    other = context.new_page()
    # As on a page served over plain http to a LAN address: no crypto.subtle.
    other.add_init_script("Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });")
    other.goto(f"{live_server.url}/checkin/{registration.event.slug}")
    other.wait_for_selector("#cache-status[data-count='1']", timeout=15000)
    go_offline(other, context)
    other.fill("#code-input", services.ticket_code(registration))
    other.click("#code-form button[type=submit]")
    other.wait_for_selector("#result[data-result='error']", timeout=5000)
    title = other.inner_text("#result-title")
    assert "HTTPS" in title and "当システムのチケットではありません" not in title


def test_search_for_a_table_shows_the_tables_state_not_the_entrances(
        db_backend, live_server, launch_browser, make_event, make_registration, make_person, make_staff, make_session):
    event = make_event(slug="table-search")
    booked = make_registration(event, person=make_person(name="高橋 直子", name_kana="タカハシ ナオコ"))
    stranger = make_registration(event, person=make_person(name="高橋 一郎", name_kana="タカハシ イチロウ"))
    table = make_session(event, title="A卓")
    db.session.add(RegistrationSession(registration_id=booked.id, session_id=table.id, status="confirmed"))
    db.session.commit()
    services.check_in_registration(event, booked.id, staff=None, session_id=table.id)
    db.session.commit()
    page = launch_browser().new_context(locale="ja-JP").new_page()
    open_door(page, live_server, event, make_staff("operator"), 2)
    page.select_option("#session-select", str(table.id))
    page.fill("#search-input", "たかはし")
    row, other = (f"#search-results li[data-registration-id='{r.id}']" for r in (booked, stranger))
    page.wait_for_selector(f"{row} button.small", timeout=10000)
    assert "受付済み" in page.inner_text(row) and page.locator(f"{row} button.primary").count() == 0
    assert "このセッションには申し込まれていません" in page.inner_text(other)
    assert page.locator(f"{other} button").count() == 0
    # Back at the entrance, where neither is checked in.
    page.select_option("#session-select", "")
    page.wait_for_selector(f"{row} button.primary", timeout=10000)
    assert page.locator(f"{other} button.primary").count() == 1


def test_focus_stays_on_the_persons_row_after_a_check_in_or_an_undo_from_search(door_browser):
    page, context, registration = door_browser
    row = f"#search-results li[data-registration-id='{registration.id}']"
    page.fill("#search-input", "たかはし")
    page.wait_for_selector(f"{row} button.primary", timeout=10000)
    assert page.get_attribute(f"{row} button.primary", "aria-label") == "高橋 直子 さんを受付する"
    page.focus(f"{row} button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{row} button.small", timeout=10000)
    assert page.get_attribute(f"{row} button.small", "aria-label") == "高橋 直子 さんの受付を取り消す"
    page.wait_for_function(f"document.activeElement === document.querySelector(\"{row} button.small\")",
                           timeout=5000)
    page.keyboard.press("Enter")
    page.fill("#undo-reason", "別の方でした")
    page.press("#undo-reason", "Enter")
    page.wait_for_selector(f"{row} button.primary", timeout=10000)
    page.wait_for_function(f"document.activeElement === document.querySelector(\"{row} button.primary\")",
                           timeout=5000)


def test_the_conflict_counter_link_says_what_it_counts(door_browser):
    page, context, registration = door_browser
    page.wait_for_function("document.getElementById('count-in-person').textContent === '0 / 1'", timeout=10000)
    label = page.get_attribute("#conflict-count", "aria-label")
    assert "二重受付 0 件" in label and "履歴" in label


def test_the_sync_confirmation_stays_readable_after_the_list_refreshes(door_browser):
    page, context, registration = door_browser
    go_offline(page, context)
    admit_offline(page, services.ticket_code(registration))
    context.set_offline(False)
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    page.wait_for_timeout(3000)  # the offline list's refresh has rewritten its own status line by now
    assert "オフライン受付 1 件を同期しました" in page.inner_text("#sync-status")
    assert page.get_attribute("#cache-status", "data-count") == "1"


def test_walk_in_fields_the_server_refused_are_highlighted_until_fixed(door_browser):
    page, context, registration = door_browser
    submit_walk_in_with_a_bad_email(page)
    page.wait_for_selector("#w-email[aria-invalid='true']", timeout=10000)
    colours = page.evaluate("""() => ['w-email', 'w-name'].map(id =>
        getComputedStyle(document.getElementById(id)).borderTopColor)""")
    assert colours[0] != colours[1]  # the refused field stands out from the accepted one
    page.fill("#w-email", "walkin@example.jp")
    assert page.get_attribute("#w-email", "aria-invalid") is None


def test_search_results_keep_badges_and_buttons_whole_on_a_phone(door_browser):
    page, context, registration = door_browser
    page.set_viewport_size({"width": 390, "height": 844})
    services.check_in_registration(registration.event, registration.id, staff=None)
    db.session.commit()
    page.fill("#search-input", "たかはし")
    page.wait_for_selector("#search-results li[data-registration-id] button.small", timeout=10000)
    lines = page.evaluate("""() => {
      const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; };
      const li = document.querySelector('#search-results li[data-registration-id]');
      return [lines(li.querySelector('.badge')), lines(li.querySelector('button'))];
    }""")
    assert lines == [1, 1]


def test_the_code_fields_hint_fits_on_a_phone(door_browser):
    page, context, registration = door_browser
    page.set_viewport_size({"width": 390, "height": 844})
    room = page.evaluate("""() => {
      const input = document.getElementById('code-input'), style = getComputedStyle(input, '::placeholder');
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const spacing = parseFloat(style.letterSpacing) || 0;
      const text = ctx.measureText(input.placeholder).width + spacing * input.placeholder.length;
      const box = getComputedStyle(input);
      return input.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight) - text;
    }""")
    assert page.get_attribute("#code-input", "placeholder") == "例: QR の下のコード"
    assert room >= 0
