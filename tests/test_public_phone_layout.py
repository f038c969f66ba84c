"""The public pages on a phone-sized screen in a real browser (Debian's Chromium)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded_site(runner, live_server, db_backend):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    return live_server


@pytest.fixture
def open_page(seeded_site, launch_browser):
    """open_page(path, width=360, height=740) -> a Japanese page of the demo site at that size."""
    def open_(path: str, width: int = 360, height: int = 740):
        page = launch_browser().new_page(viewport={"width": width, "height": height}, locale="ja-JP")
        page.goto(seeded_site.url + path)
        return page
    return open_


@pytest.mark.parametrize("path", ["/", "/events/kabeuchi-night", "/events/alumni-mixer-tokyo"])
def test_pages_fit_a_phone_without_sideways_scrolling(open_page, path):
    page = open_page(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.evaluate("[...document.styleSheets].every(s => !s.href || s.href.startsWith(location.origin))")


def test_register_button_is_in_the_first_screen_on_a_phone(open_page):
    page = open_page("/events/kabeuchi-night")
    box = page.locator("#register").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740
    assert page.locator("#register").inner_text().strip() == "申し込む"


def test_lost_link_form_comes_after_the_event_details_on_a_phone(open_page):
    """A first-time visitor reads the date and venue right under the register button; the
    lost-link form is for the few who already registered, so it waits at the end."""
    page = open_page("/events/kabeuchi-night")
    register = page.locator("#register").bounding_box()
    facts = page.locator(".facts").bounding_box()
    hosts = page.locator("#hosts").bounding_box()
    lost = page.locator("#lost-link").bounding_box()
    assert register["y"] < facts["y"] < hosts["y"] < lost["y"]


def test_lost_link_form_stays_beside_the_details_on_a_desktop(open_page):
    page = open_page("/events/kabeuchi-night", width=1280, height=900)
    facts = page.locator(".facts").bounding_box()
    register = page.locator("#register").bounding_box()
    lost = page.locator("#lost-link").bounding_box()
    assert register["x"] > facts["x"] + facts["width"]  # the right-hand column
    assert lost["x"] > facts["x"] + facts["width"] and lost["y"] > register["y"]
    assert lost["y"] < 900  # still in the first screen, under the register box
