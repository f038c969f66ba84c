"""The reports page in Debian's Chromium: a PDF requested, made by the worker, offered without a reload."""
from __future__ import annotations

import pytest

from tests.conftest import STAFF_PASSWORD
from tests.support import sign_in
from tests.reports_seed import seeded, with_survey  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def operator_page(with_survey, live_server, launch_browser, make_staff):
    staff = make_staff("operator")
    browser = launch_browser()
    page = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900}).new_page()
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{with_survey.event.slug}/reports")
    return page, with_survey


def test_pdf_job_progress_and_download_appear_without_reload(operator_page, tmp_path):
    from events_app.reports.jobs import run_due_jobs

    page, seeded = operator_page
    assert page.locator("[data-figure=attended_in_person]").inner_text() == "4"
    page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)
    page.click("form.summary-form button[type=submit]")
    page.wait_for_selector("tr[data-status=queued]")
    page.evaluate("window.__marker = 'same page'")  # a reload would lose it
    assert run_due_jobs() == 1
    link = page.wait_for_selector("tr[data-job] .job-state a.button", timeout=20000)
    assert link.inner_text() == "ダウンロード"
    assert page.evaluate("window.__marker") == "same page"
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "summary.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")


def test_survey_page_on_a_phone(seeded, live_server, launch_browser):
    browser = launch_browser()
    page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    page.goto(f"{live_server.url}/r/{seeded.registrations['hanako'].manage_token}/survey")
    page.click("label.score:has-text('9')")
    page.fill("textarea[name=introduction_requests]", "合金鉄部の方")
    page.click("button[type=submit]")
    page.wait_for_selector("text=回答を保存しました")
    assert page.locator("#score-9").is_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone


def test_reports_page_fits_a_phone(with_survey, live_server, launch_browser, make_staff):
    """Every table of figures fits a 390px screen: the sessions table becomes labelled cards."""
    staff = make_staff("operator")
    browser = launch_browser()
    page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(page, live_server.url, staff, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/admin/events/{with_survey.event.slug}/reports")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = page.locator("table.figures.responsive tbody tr").first
    assert "テーブルA 石炭の未来" in card.inner_text()
    labels = card.locator("td[data-label]").evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert labels[0] == '"定員"' and len(labels) == 5  # each figure says what it is
    assert card.bounding_box()["x"] + card.bounding_box()["width"] <= 390
