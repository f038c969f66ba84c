"""The real door screen in Debian's Chromium, with a fake camera that films a ticket's QR code."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from events_app.extensions import db
from events_app.tickets import codes, documents, services
from events_app.tickets.models import CheckIn
from tests.conftest import STAFF_PASSWORD
from tests.support import sign_in

pytestmark = pytest.mark.browser


def write_y4m(png: bytes, path, width: int = 640, height: int = 480, frames: int = 15) -> None:
    """A YUV4MPEG2 (4:2:0) clip of the QR centred on white, for --use-file-for-fake-video-capture."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    side = min(width, height) - 60
    qr = qr.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(qr, ((width - side) // 2, (height - side) // 2))
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    chroma = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(chroma).tobytes() + cr.resize(chroma).tobytes()
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n" + planes)


@pytest.fixture
def door_browser(db_backend, live_server, launch_browser, make_event, make_registration, make_person, make_staff,
                 tmp_path):
    event = make_event(slug="door-test", title="ブラウザ交流会")
    person = make_person(name="高橋 直子", name_kana="タカハシ ナオコ", company="株式会社サクラ")
    registration = make_registration(event, person=person)
    staff = make_staff("checkin", name="受付 花子")
    from events_app.auth.services import assign_staff

    assign_staff(event.id, staff.id)
    code = services.ticket_code(registration)
    video = tmp_path / "qr.y4m"
    write_y4m(documents.qr_png(codes.ticket_url(code)), video)
    browser = launch_browser(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                              f"--use-file-for-fake-video-capture={video}"])
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    open_door(page, live_server, event, staff, 1)
    return page, context, registration


def check_ins():
    db.session.rollback()  # see what the server committed
    return db.session.scalars(select(CheckIn)).all()


def test_camera_scan_shows_green_result_and_counts(door_browser):
    page, context, registration = door_browser
    # open_door waits for the offline list; the counts are a request of their own.
    page.wait_for_function("document.getElementById('count-in-person').textContent === '0 / 1'", timeout=10000)
    page.click("#camera-start")
    page.wait_for_selector("#result[data-result='ok']", timeout=20000)
    assert "高橋 直子" in page.inner_text("#result-name")
    assert "株式会社サクラ" in page.inner_text("#result-detail")
    page.wait_for_function("document.getElementById('count-in-person').textContent === '1 / 1'", timeout=10000)
    rows = check_ins()
    assert len(rows) == 1 and rows[0].source.value == "scan"
    assert page.is_hidden("#camera-start") and page.is_visible("#result-undo")
    # The camera keeps filming the same code: after the debounce the server says "already"
    # (amber, with when and by whom), and nothing is recorded twice.
    page.wait_for_selector("#result[data-result='already_checked_in']", timeout=15000)
    assert "受付 花子" in page.inner_text("#result-extra")
    assert page.is_hidden("#result-undo")
    assert len(check_ins()) == 1


def test_offline_scan_is_queued_then_synced_when_the_network_returns(door_browser):
    page, context, registration = door_browser
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.click("#camera-start")
    page.wait_for_selector("#result[data-result='ok']", timeout=20000)
    assert "高橋 直子" in page.inner_text("#result-name")
    assert page.get_attribute("#queue-label", "data-count") == "1"
    assert check_ins() == []
    context.set_offline(False)
    page.wait_for_selector("#net-status[data-state='online']", timeout=10000)
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    rows = check_ins()
    assert len(rows) == 1 and rows[0].source.value == "offline_sync" and rows[0].client_at is not None
    page.wait_for_function("document.getElementById('count-in-person').textContent === '1 / 1'", timeout=10000)


def test_search_and_one_tap_check_in(door_browser):
    page, context, registration = door_browser
    page.fill("#search-input", "たかはし")
    page.wait_for_selector("#search-results li[data-registration-id] button.primary", timeout=10000)
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    assert len(check_ins()) == 1


def _undo(page, opener: str) -> None:
    page.click(opener)
    page.fill("#undo-reason", "別の方でした")
    page.click("#undo-form button[type=submit]")
    page.wait_for_selector("#result[data-result='undone']", timeout=10000)


def test_an_undo_records_where_on_the_door_screen_it_was_asked(door_browser):
    """From a search result the history says "search"; from the result panel, "scan"."""
    page, context, registration = door_browser
    page.fill("#search-input", "たかはし")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    page.wait_for_selector("#search-results li[data-registration-id] button.small", timeout=10000)
    _undo(page, "#search-results li[data-registration-id] button.small")
    page.wait_for_selector("#search-results li[data-registration-id] button.primary", timeout=10000)
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    _undo(page, "#result-undo")
    undos = [(row.kind.value, row.source.value) for row in sorted(check_ins(), key=lambda r: r.id)
             if row.kind.value == "undo"]
    assert undos == [("undo", "search"), ("undo", "scan")]


def test_offline_search_in_romaji_finds_the_person_by_kana(door_browser):
    """A helper on an English keyboard, with the network gone: Hepburn or kunrei, with or without
    the space, in either name order, finds タカハシ ナオコ in the cached list and checks her in."""
    page, context, registration = door_browser
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    for query in ("takahasi", "Takahashi Naoko", "Naoko Takahashi"):
        # Emptied first, or the last query's row would pass for this one's.
        page.evaluate("document.getElementById('search-results').innerHTML = ''")
        page.fill("#search-input", query)
        page.wait_for_selector(f"#search-results li[data-registration-id='{registration.id}']", timeout=5000)
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
    assert page.get_attribute("#queue-label", "data-count") == "1"


def test_the_door_reads_romaji_as_the_server_does(door_browser):
    """The offline search (wanakana) and the server (jaconv) fold a romaji query to the same kana."""
    from events_app.tickets import romaji

    page, context, registration = door_browser
    queries = ["tanaka", "Tanaka Yuki", "ＴＡＮＡＫＡ", "shimizu", "simizu", "tsuda", "tuda", "chiba", "tiba",
               "hattori", "matcha", "ken'ichi", "Ito Ken'ichi", "tsuzuki", "homma", "shinnosuke", "kenn",
               "sato", "satou", "satoo", "satō", "satoh", "Ōno Shō", "Sâtô", "Kēto", "ohno", "ohashi", "takahas",
               "kyouko", "acme", "emily.clark@", "株式会社", "たなか"]
    door = page.evaluate("qs => qs.map(q => { const r = DoorRomaji.reading(q); return r && DoorRomaji.fold(r); })",
                         queries)
    server = [(lambda r: r and romaji.fold(r))(romaji.kana_reading(q)) for q in queries]
    assert dict(zip(queries, door)) == dict(zip(queries, server))


def test_offline_search_reads_macrons_and_circumflexes_as_long_vowels_like_the_server(door_browser):
    """ā ī ū ē ō and â î û ê ô (capitals too) match the フリガナ's long vowel, doubled or written
    with ー, on the device as on the server."""
    import jaconv

    from events_app.tickets import romaji

    page, context, registration = door_browser
    pairs = [("Satō", "サトウ リョウ"), ("SATŌ", "サトウ"), ("Sâtô", "サトウ"), ("Ōno", "オオノ"), ("ÔNO", "オオノ"),
             ("Yūki", "ユウキ"), ("YÛKI", "ゆうき"), ("Nīmi", "ニイミ"), ("Kēto", "ケート"), ("Kêto", "ケエト"),
             ("Māsa", "マーサ"), ("Rîsa", "リーサ"), ("Mâsa Oka", "オカ マアサ")]
    door = page.evaluate("ps => ps.map(([q, kana]) => DoorRomaji.matches(q, kana))", pairs)
    server = [any(romaji.reads_as(jaconv.hira2kata(kana), r) for r in romaji.kana_readings(q))
              for q, kana in pairs]
    assert dict(zip(pairs, door)) == dict(zip(pairs, server)) == {pair: True for pair in pairs}


def test_offline_typed_codes_are_read_like_the_server_reads_them(door_browser):
    """The device's canonical form and hash match the server's: lower case and dashes are fine,
    one changed character is refused, all without the network."""
    page, context, registration = door_browser
    code = services.ticket_code(registration)
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    forged = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    page.fill("#code-input", forged)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='unknown_code']", timeout=5000)
    page.fill("#code-input", "-".join(code[i:i + 5] for i in range(0, len(code), 5)).lower())
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
    assert page.get_attribute("#queue-label", "data-count") == "1"
    context.set_offline(False)
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    assert [r.source.value for r in check_ins()] == ["offline_sync"]


def test_the_door_screen_reopens_without_network_and_still_admits(door_browser):
    """A reload at a venue with no Wi-Fi: the service worker serves the page, the cached list decides."""
    page, context, registration = door_browser
    page.wait_for_selector("#checkin[data-offline-ready='1']", timeout=15000)
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#net-status[data-state='offline']", timeout=10000)
    assert page.get_attribute("#cache-status", "data-count") == "1"
    page.fill("#code-input", codes.ticket_url(services.ticket_code(registration)))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
    context.set_offline(False)
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    assert [r.source.value for r in check_ins()] == ["offline_sync"]


def submit_walk_in_with_a_bad_email(page) -> None:
    page.click("details summary:has-text('当日参加の登録')")
    page.eval_on_selector("#walkin-form", "f => { f.noValidate = true; }")  # let the server judge the email
    page.fill("#w-name", "飛び込み 太郎")
    page.fill("#w-email", "not-an-address")
    page.click("#walkin-form button[type=submit]")


def test_walk_in_errors_name_the_field_in_words_not_its_key(door_browser):
    page, context, registration = door_browser
    submit_walk_in_with_a_bad_email(page)
    page.wait_for_function("document.getElementById('walkin-errors').textContent.length > 0", timeout=10000)
    text = page.inner_text("#walkin-errors")
    assert "メールアドレス:" in text and "email:" not in text


def open_door(page, live_server, event, staff, expected_count: int):
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/checkin/{event.slug}")
    page.wait_for_selector(f"#cache-status[data-count='{expected_count}']", timeout=15000)


def test_offline_counts_follow_the_servers_rule_for_an_online_registrant_at_the_venue(
        db_backend, live_server, launch_browser, make_event, make_registration, make_person, make_staff):
    from events_app.enums import EventKind

    event = make_event(slug="hybrid-door", kind=EventKind.HYBRID, online_url="https://meet.example/h",
                       online_capacity=10)
    make_registration(event, person=make_person(name="会場 一郎", name_kana="カイジョウ イチロウ"))
    make_registration(event, person=make_person(name="画面 二郎", name_kana="ガメン ジロウ"),
                      attendance_mode="online")
    page = launch_browser().new_context(locale="ja-JP").new_page()
    open_door(page, live_server, event, make_staff("operator"), 2)
    page.wait_for_function("document.getElementById('count-in-person').textContent === '0 / 1'", timeout=10000)
    page.context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.fill("#search-input", "がめん")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
    assert page.inner_text("#count-in-person") == "1 / 2"
    assert page.inner_text("#count-online") == "0 / 1"


def test_a_check_in_on_another_device_reaches_the_offline_list_with_the_counts(door_browser):
    """The list a device decides from when the network drops is as fresh as its counts (5 s), so
    it does not admit someone another device checked in a few seconds before."""
    page, context, registration = door_browser
    other = services.check_in_registration(registration.event, registration.id, staff=None)
    assert other.result.value == "ok"
    db.session.commit()
    page.wait_for_function("document.getElementById('count-in-person').textContent === '1 / 1'", timeout=10000)
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.fill("#code-input", services.ticket_code(registration))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result]:not([data-result=''])", timeout=5000)
    assert page.get_attribute("#result", "data-result") == "already_checked_in"
    assert page.get_attribute("#queue-label", "data-count") in (None, "0")


def test_an_offline_admission_that_syncs_as_a_conflict_turns_amber_and_names_the_person(door_browser, make_staff):
    page, context, registration = door_browser
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state='offline']", timeout=5000)
    page.fill("#code-input", services.ticket_code(registration))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
    # Meanwhile another door, online, admitted the same ticket.
    services.check_in_registration(registration.event, registration.id, staff=make_staff("checkin", name="入口 B"))
    db.session.commit()
    context.set_offline(False)
    page.wait_for_selector("#sync-notice:not([hidden])", timeout=15000)
    notice = page.inner_text("#sync-notice")
    assert "高橋 直子" in notice and "入口 B" in notice and "二重" in notice
    assert page.get_attribute("#result", "data-result") == "conflict"
    assert "result-warn" in page.get_attribute("#result", "class")
    assert [r.conflict for r in check_ins()] == [False, True]


def test_a_submitted_code_is_cleared_so_the_next_one_is_not_appended(door_browser):
    """Staff type or paste one code after another: each submit empties the field and keeps focus there."""
    page, context, registration = door_browser
    code = services.ticket_code(registration)
    page.fill("#code-input", code)
    page.press("#code-input", "Enter")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    assert page.input_value("#code-input") == ""
    assert page.evaluate("document.activeElement.id") == "code-input"
    page.keyboard.type(code)  # the next code goes into an empty field
    page.keyboard.press("Enter")
    page.wait_for_selector("#result[data-result='already_checked_in']", timeout=10000)
    assert page.input_value("#code-input") == ""


def test_a_walk_in_already_registered_offers_checking_in_that_registration(door_browser):
    page, context, registration = door_browser
    page.click("details summary:has-text('当日参加の登録')")
    page.fill("#w-name", "高橋 直子")
    page.fill("#w-email", registration.person.email.upper())
    page.click("#walkin-form button[type=submit]")
    page.wait_for_selector("#walkin-existing:not([hidden])", timeout=10000)
    assert "登録済み" in page.inner_text("#walkin-errors") and "お送りしました" not in page.inner_text("#walkin-errors")
    assert "高橋 直子" in page.inner_text("#walkin-existing")
    page.click("#walkin-existing button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    assert "高橋 直子" in page.inner_text("#result-name")
    assert [r.source.value for r in check_ins()] == ["search"]
    assert page.is_hidden("#walkin-existing")


def test_the_history_page_is_readable_on_a_phone(db_backend, live_server, launch_browser, make_event,
                                                make_registration, make_person, make_staff):
    """At 390 px names, kana and the 受付完了 badge keep whole lines, and nothing scrolls sideways."""
    event = make_event(slug="history-phone")
    registration = make_registration(event, person=make_person(name="長谷川 美智子", name_kana="ハセガワ ミチコ",
                                                                company="株式会社ながいかいしゃめい"))
    staff = make_staff("operator", name="受付 花子")
    services.check_in_registration(event, registration.id, staff=staff, device="device-1234abcd")
    db.session.commit()
    page = launch_browser().new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/checkin/{event.slug}/history")
    lines = page.evaluate("""() => {
      // How many lines a piece of text takes: the distinct tops of its line boxes.
      const lines = el => { const r = document.createRange(); r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; };
      const who = document.querySelector("table.history tbody tr[data-kind] td:nth-child(2)");
      const badge = document.querySelector("table.history tbody tr[data-kind] .badge");
      const walker = document.createTreeWalker(who, NodeFilter.SHOW_TEXT, n => n.textContent.trim() ? 1 : 3);
      return {badge: lines(badge), badgeText: badge.textContent.trim(), name: lines(walker.nextNode()),
              kana: lines(who.querySelector(".muted")),
              overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
    }""")
    assert lines["badgeText"] == "受付完了" and lines["badge"] == 1
    assert lines["name"] == 1 and lines["kana"] == 1
    assert lines["overflow"] <= 0


def test_choosing_a_table_highlights_its_counter_and_a_check_in_there_moves_it(door_browser):
    from events_app.database import write_transaction
    from events_app.events.models import EventSession
    from events_app.registration.models import RegistrationSession

    page, context, registration = door_browser
    # The door page polls meanwhile: write as the app does (SQLite: BEGIN IMMEDIATE, waiting its turn).
    with write_transaction() as session:
        event = registration.event
        table, other = (EventSession(event_id=event.id, title=title, starts_at=event.starts_at,
                                     ends_at=event.ends_at) for title in ("A卓", "B卓"))
        session.add_all([table, other])
        session.flush()
        session.add(RegistrationSession(registration_id=registration.id, session_id=table.id, status="confirmed"))
    page.reload()
    counter, other_counter = f"#session-count-{table.id}", f"#session-count-{other.id}"
    page.wait_for_function(f"document.querySelector('{counter} strong').textContent === '0 / 1'", timeout=10000)
    page.select_option("#session-select", str(table.id))
    assert page.get_attribute(counter, "aria-current") == "true"
    assert page.get_attribute(other_counter, "aria-current") is None
    page.fill("#search-input", "たかはし")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    page.wait_for_function(f"document.querySelector('{counter} strong').textContent === '1 / 1'", timeout=10000)
    assert page.inner_text("#count-in-person") == "0 / 1"  # the table, not the entrance
    page.select_option("#session-select", "")
    assert page.get_attribute(counter, "aria-current") is None
