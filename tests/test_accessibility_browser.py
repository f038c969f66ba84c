"""Every main page passes axe-core (Deque's accessibility engine, from npm: tests/js) in Chromium.

The engine runs inside the real page, after its scripts, on the demo programme: attendees' pages
on a phone, operators' and the door's pages on a desktop, and a refused form with its error
summary. Any violation fails, whatever its impact: contrast, labels, landmarks, headings.
"""
from __future__ import annotations

import pytest

from tests.conftest import STAFF_PASSWORD
from tests.support import require
from tests.test_calendar_documents import JS_DIR

pytestmark = pytest.mark.browser
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"

PUBLIC = ["/", "/events/kabeuchi-night", "/events/alumni-mixer-tokyo", "/events/alumni-mixer-tokyo/register",
          "/events/webinar-career-after-trading/register", "/login"]
STAFF = ["/admin/", "/admin/events/alumni-mixer-tokyo", "/admin/events/alumni-mixer-tokyo/registrations",
         "/admin/events/alumni-mixer-autumn/reports", "/admin/events/alumni-mixer-tokyo/messages",
         "/admin/events/new", "/admin/events/alumni-mixer-tokyo/hosts/new",
         "/admin/events/alumni-mixer-tokyo/sessions/new", "/admin/events/alumni-mixer-tokyo/questions/new",
         "/admin/events/alumni-mixer-tokyo/edit", "/admin/tokens", "/admin/outbox",
         "/admin/reports/engagement", "/checkin/", "/checkin/alumni-mixer-tokyo",
         "/checkin/alumni-mixer-tokyo/history"]


@pytest.fixture
def demo_site(runner, live_server, db_backend):
    require(AXE.is_file(), "axe-core is needed in tests/js/node_modules (run: cd tests/js && npm ci)")
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    return live_server


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`))""")
    return found


def operator_page(site, launch_browser, staff, width: int = 1280):
    """A Japanese page in Chromium, `width` wide, with `staff` signed in through the login form."""
    from tests.support import sign_in

    page = launch_browser().new_page(viewport={"width": width, "height": 900}, locale="ja-JP")
    sign_in(page, site.url, staff, STAFF_PASSWORD)
    return page


@pytest.mark.parametrize("path", PUBLIC)
def test_attendee_pages_on_a_phone(demo_site, launch_browser, path):
    page = launch_browser().new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page.goto(demo_site.url + path)
    assert violations(page) == []


def test_attendee_manage_page_and_a_refused_form(demo_site, launch_browser, client):
    questions = client.get("/api/v1/events/kabeuchi-night").get_json()["questions"]
    answers = {str(q["id"]): q["choices"][0]["value"] if q["choices"] else "新規事業の相談" for q in questions
               if q["required"]}
    answer = client.post("/api/v1/events/kabeuchi-night/registrations", json={
        "name": "小林 さくら", "name_kana": "コバヤシ サクラ", "email": "sakura@example.jp", "affiliation": "alumni",
        "consent": True, "answers": answers})
    assert answer.status_code == 201, answer.get_json()
    page = launch_browser().new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
    manage = answer.get_json()["links"]["manage"]
    page.goto(demo_site.url + manage[manage.index("/r/"):])
    assert "小林 さくら" in page.locator("main").inner_text()
    assert violations(page) == []
    page.goto(demo_site.url + "/events/kabeuchi-night/register")
    page.locator("form.reg-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    assert violations(page) == []


@pytest.mark.parametrize("path", STAFF)
def test_operator_and_door_pages_on_a_desktop(demo_site, launch_browser, make_staff, path):
    page = operator_page(demo_site, launch_browser, make_staff("operator"))
    page.goto(demo_site.url + path)
    assert violations(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_messages_recipient_list_on_a_phone_and_a_desktop(demo_site, launch_browser, make_staff, client, login,
                                                            width):
    """The recipients table is a table on a desktop and labelled cards on a phone."""
    from types import SimpleNamespace

    from tests.messages_support import send, sent_messages

    staff = make_staff("operator")
    login(staff)
    event = SimpleNamespace(slug="alumni-mixer-tokyo")
    assert send(client, event).status_code == 302
    message = sent_messages()[-1]
    page = operator_page(demo_site, launch_browser, staff, width)
    page.goto(f"{demo_site.url}/admin/events/{event.slug}/messages/{message.id}")
    assert page.locator("tr[data-delivery]").count() > 0
    assert violations(page) == []


# Pages of a 230-recipient message (tests.messages_support: 198 delivered, 9 waiting, 23 not):
# the query, its rows, its range text, the tab marked current, and the pager's links. Checking
# them all proves each page is the one meant, not an error page that happens to pass axe.
CROWD_PAGES = [
    ("?page=2", 100, "230 件中 101–200 件目", "all", {"previous", "next"}),
    ("?delivery=delivered&page=2", 98, "198 件中 101–198 件目", "delivered", {"previous"}),
    ("?delivery=not_delivered", 23, "23 件中 1–23 件目", "not_delivered", set()),
    ("?page=99", 30, "230 件中 201–230 件目", "all", {"previous"}),  # out of range: the last page
    ("?delivery=waiting&page=9", 9, "9 件中 1–9 件目", "waiting", set()),
]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_large_messages_recipient_list_with_its_tabs_and_pager(demo_site, launch_browser, make_staff, make_event,
                                                                  client, login, width):
    """230 recipients: the delivery-state tabs, the pager and filtered pages, on a phone and a desktop."""
    from datetime import datetime, timezone

    from tests.messages_support import send_to_crowd

    staff = make_staff("operator")
    login(staff)
    event = make_event(capacity=500)
    message = send_to_crowd(client, event, sent_at=datetime(2030, 5, 1, 1, 30, tzinfo=timezone.utc))
    page = operator_page(demo_site, launch_browser, staff, width)
    base = f"{demo_site.url}/admin/events/{event.slug}/messages/{message.id}"
    for query, rows, shown, tab, links in CROWD_PAGES:
        page.goto(base + query)
        assert page.locator("tr[data-delivery]").count() == rows, query
        assert page.locator("#recipient-range").inner_text() == shown, query
        assert page.locator(".reg-recipient-tabs [aria-current=page]").evaluate_all(
            "tabs => tabs.map(t => t.id)") == [f"tab-{tab}"], query
        assert {link for link in ("previous", "next") if page.locator(f"nav.reg-pager #page-{link}").count()} \
            == links, query
        assert violations(page) == [], query
