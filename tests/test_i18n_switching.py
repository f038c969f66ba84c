"""Japanese by default, English on request: Accept-Language, the switcher and its cookie."""
from __future__ import annotations

import pytest

from events_app.i18n import LANG_COOKIE


@pytest.fixture
def page(client, make_event, db_backend):
    make_event(slug="mixer", title="冬の交流会", title_translation="Winter Mixer")
    return client


def test_japanese_is_the_default(page):
    html = page.get("/").get_data(as_text=True)
    assert '<html lang="ja">' in html and "開催予定" in html


def test_accept_language_english_gives_english(page):
    html = page.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Upcoming" in html


def test_switcher_links_to_the_other_language_and_back_here(page):
    html = page.get("/events/mixer").get_data(as_text=True)
    assert 'href="/lang/en?next=/events/mixer?"' in html


def test_switching_is_remembered_by_cookie(page):
    response = page.get("/lang/en?next=/events/mixer")
    assert response.status_code == 302 and response.headers["Location"].endswith("/events/mixer")
    assert page.get_cookie(LANG_COOKIE).value == "en"
    html = page.get("/events/mixer", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "Winter Mixer" in html and "Add to calendar (.ics)" in html


def test_switching_back_to_japanese(page):
    page.get("/lang/en")
    page.get("/lang/ja")
    html = page.get("/events/mixer", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "冬の交流会" in html and "カレンダーに追加（.ics）" in html


def test_switcher_refuses_to_redirect_off_site(page):
    response = page.get("/lang/en?next=https://evil.example/phish")
    assert response.headers["Location"] in ("/phish", "http://localhost/phish")


@pytest.mark.parametrize("lang, text", [("ja", "お探しのページが見つかりませんでした。"), ("en", "We could not find that page.")])
def test_404_is_translated(page, lang, text):
    response = page.get("/no-such-page", headers={"Accept-Language": lang})
    assert response.status_code == 404 and text in response.get_data(as_text=True)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PROPAGATE_EXCEPTIONS": False}


def test_500_is_a_friendly_translated_page(app, page):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    response = page.get("/boom-for-test")
    assert response.status_code == 500
    assert "入力内容は失われていません" in response.get_data(as_text=True)
