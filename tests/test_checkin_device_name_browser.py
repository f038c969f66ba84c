"""Door staff name their device on the door screen: the history then says which phone admitted
whom, instead of a random id nobody can map to a phone (QA finding)."""
from __future__ import annotations

import pytest

from tests.test_checkin_browser import check_ins, door_browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_named_device_is_what_the_history_records(door_browser):  # noqa: F811
    page, context, registration = door_browser
    label = page.inner_text("#device-label")
    assert label.startswith("device-")  # until staff name it
    page.click("details.device-name summary")
    page.fill("#device-input", "受付A・iPhone")
    page.click("#device-form button[type=submit]")
    assert page.inner_text("#device-label") == "受付A・iPhone"
    assert not page.eval_on_selector("details.device-name", "d => d.open")

    page.fill("#search-input", "たかはし")
    page.click("#search-results li[data-registration-id] button.primary")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    assert [row.device for row in check_ins()] == ["受付A・iPhone"]

    page.reload()  # the name is kept on the device
    page.wait_for_selector("#device-label:has-text('受付A・iPhone')", timeout=10000)


def test_an_empty_name_keeps_the_old_one(door_browser):  # noqa: F811
    page, context, registration = door_browser
    before = page.inner_text("#device-label")
    page.click("details.device-name summary")
    page.fill("#device-input", "   ")
    page.click("#device-form button[type=submit]")
    assert page.inner_text("#device-label") == before
