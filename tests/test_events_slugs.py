"""Event slugs from titles: Latin titles as they are, Japanese titles in Hepburn romaji,
the English translation before romaji, and the dated fallback when nothing readable is left."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from events_app.events.slugs import copy_slug, generate_slug

STARTS = datetime(2027, 2, 20, 10, 0, tzinfo=timezone.utc)  # 19:00 on the 20th in Tokyo


@pytest.fixture
def database(app, db_backend):
    return app


@pytest.mark.parametrize("title, slug", [
    ("OB・OG交流会 2027春", "ob-og-kouryuukai-2027-haru"),
    ("壁打ちナイト", "kabe-uchi-naito"),
    ("第3回　アルムナイ懇親会", "dai-3-kai-arumunai-konshinkai"),  # ideographic space
    ("ｶﾗｵｹ大会", "karaoke-taikai"),  # half-width katakana
    ("【告知】キャリア相談会（オンライン）", "kokuchi-kyaria-soudan-kai-onrain"),
    ("Tokyo 交流会", "tokyo-kouryuukai"),
])
def test_a_japanese_title_is_romanised(database, title, slug):
    assert generate_slug(title, STARTS) == slug


def test_latin_titles_keep_their_slugs(database):
    assert generate_slug("Alumni Winter Mixer 2031", STARTS) == "alumni-winter-mixer-2031"
    assert generate_slug("Café & Careers!", STARTS) == "cafe-careers"


def test_the_english_translation_still_comes_before_romaji(database):
    assert generate_slug("冬の交流会", STARTS, title_translation="Winter Mixer") == "winter-mixer"


def test_a_romanised_slug_keeps_the_length_limit(database):
    slug = generate_slug("東京オフィス見学ツアー" * 10, STARTS)
    assert slug.startswith("toukyou-ofisu-kengaku-tsuaa-") and len(slug) <= 80
    assert not slug.endswith("-")


def test_romanised_slugs_stay_unique(database, make_event):
    make_event(slug="kabe-uchi-naito")
    assert generate_slug("壁打ちナイト", STARTS) == "kabe-uchi-naito-2"
    assert copy_slug("kabe-uchi-naito") == "kabe-uchi-naito-copy"


@pytest.mark.parametrize("title", ["𠮷", "ゝゝ", "交流会 ゝ", "🎉🎉"])
def test_a_title_with_nothing_readable_in_romaji_gets_the_dated_fallback(database, title):
    # 𠮷 has no reading (dropped); ゝ stays kana; half-romanised text would read as noise.
    assert generate_slug(title, STARTS).startswith("event-20270220-")


def test_the_events_api_romanises_a_japanese_title_and_keeps_a_typed_slug(client, make_token, db_backend):
    token, _user = make_token("operator")
    headers = {"Authorization": f"Bearer {token}"}

    def create(**fields):
        data = {"title": "OB・OG交流会 2027春", "kind": "networking", "starts_at": "2027-02-20T19:00:00+09:00",
                "ends_at": "2027-02-20T21:00:00+09:00", "timezone": "Asia/Tokyo", "capacity": 30,
                "audience": ["alumni"], "status": "draft", **fields}
        response = client.post("/api/v1/events", json=data, headers=headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["slug"]

    assert create() == "ob-og-kouryuukai-2027-haru"
    assert create() == "ob-og-kouryuukai-2027-haru-2"
    assert create(title="壁打ちナイト", slug="kabeuchi") == "kabeuchi"
