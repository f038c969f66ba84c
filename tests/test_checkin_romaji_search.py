"""Door search in romaji: staff on an English keyboard find people by their フリガナ, through the
check-in API and the door screen's own search, while Latin queries still match emails and companies."""
from __future__ import annotations

import pytest


@pytest.fixture
def door(db_backend, make_event, make_registration, make_person, make_token):
    event = make_event(slug="romaji")
    people = {
        "田中 ユキ": "タナカ ユキ", "清水 誠": "シミズ マコト", "津田 陽子": "ツダ ヨウコ",
        "千葉 学": "チバ マナブ", "佐藤 亮": "サトウ リョウ", "大野 翔": "オオノ ショウ",
        "服部 舞": "ハットリ マイ", "伊藤 健一": "イトウ ケンイチ", "都築 純": "ツヅキ ジュン",
        "本間 新之助": "ホンマ シンノスケ", "結城 葵": "ユウキ アオイ", "新見 ケート": "ニイミ ケート",
        "岡 マーサ": "オカ マーサ",
    }
    ids = {}
    for name, kana in people.items():
        # Emails and the company say nothing of the reading: a romaji hit can only come from kana.
        ids[name] = make_registration(event, person=make_person(name=name, name_kana=kana)).id
    guest = make_person(name="Emily Clark", name_kana="エミリー クラーク", email="emily.clark@acme.example",
                        company="ACME Japan", affiliation="guest")
    ids["Emily Clark"] = make_registration(event, person=guest).id
    token, _ = make_token("operator")
    return ids, token


def found(client, token, query: str) -> set[str]:
    response = client.get("/api/v1/checkin/events/romaji/search", query_string={"q": query},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return {r["name"] for r in response.get_json()["results"]}


@pytest.mark.parametrize("query, name", [
    ("tanaka", "田中 ユキ"),
    ("Tanaka Yuki", "田中 ユキ"),
    ("TANAKAYUKI", "田中 ユキ"),
    ("ｔａｎａｋａ", "田中 ユキ"),          # a full-width keyboard mode
    ("shimizu", "清水 誠"), ("simizu", "清水 誠"),     # Hepburn and kunrei
    ("tsuda", "津田 陽子"), ("tuda", "津田 陽子"),
    ("chiba", "千葉 学"), ("tiba", "千葉 学"),
    ("hattori", "服部 舞"),                          # a doubled consonant is ッ
    ("ken'ichi", "伊藤 健一"), ("Ito Ken'ichi", "伊藤 健一"),
    ("tsuzuki", "都築 純"),                          # Hepburn writes ヅ as zu
    ("homma", "本間 新之助"), ("shinnosuke", "本間 新之助"),
])
def test_a_romaji_query_finds_the_person_by_kana(client, door, query, name):
    ids, token = door
    assert found(client, token, query) == {name}


@pytest.mark.parametrize("query", ["sato", "satou", "satoo", "satō", "satoh", "Sato Ryo", "Satou Ryou"])
def test_long_vowels_may_be_written_any_common_way(client, door, query):
    ids, token = door
    assert found(client, token, query) == {"佐藤 亮"}


@pytest.mark.parametrize("query", ["ono", "oono", "ōno", "ohno", "Ōno Shō", "Ono Sho"])
def test_a_doubled_o_in_the_kana_matches_a_single_long_o(client, door, query):
    ids, token = door
    assert found(client, token, query) == {"大野 翔"}


@pytest.mark.parametrize("query", ["acme", "emily.clark@", "Clark"])
def test_a_latin_query_still_matches_email_company_and_latin_names(client, door, query):
    ids, token = door
    assert found(client, token, query) == {"Emily Clark"}


@pytest.mark.parametrize("query, name", [
    ("Yuki Tanaka", "田中 ユキ"), ("Ken'ichi Ito", "伊藤 健一"), ("Ryō Satō", "佐藤 亮"),
    ("Shinnosuke Homma", "本間 新之助"), ("yuki-tanaka", "田中 ユキ"),
])
def test_a_query_in_western_name_order_finds_the_person_too(client, door, query, name):
    ids, token = door
    assert found(client, token, query) == {name}


@pytest.mark.parametrize("query, name", [
    ("Satō", "佐藤 亮"), ("SATŌ", "佐藤 亮"), ("Sâtô", "佐藤 亮"), ("Sātō Ryō", "佐藤 亮"),
    ("Ōno", "大野 翔"), ("ÔNO", "大野 翔"), ("Yūki Aoi", "結城 葵"), ("Yûki Aoi", "結城 葵"),
    ("Nīmi Kēto", "新見 ケート"), ("Nîmi Kêto", "新見 ケート"), ("Niimi Keeto", "新見 ケート"),
    ("Kēto", "新見 ケート"), ("Māsa", "岡 マーサ"), ("Oka Mâsa", "岡 マーサ"), ("Masa", "岡 マーサ"),
])
def test_macrons_and_circumflexes_read_as_long_vowels_at_the_door(client, door, login, make_staff, query, name):
    """ā ī ū ē ō and â î û ê ô, capitals too, match a long vowel however the フリガナ writes it:
    doubled (サトウ, オオノ, ユウキ, ニイミ), with ー (ケート, マーサ) or, as romaji often drops it, short."""
    login(make_staff("operator"))
    response = client.get("/checkin/romaji/api/search", query_string={"q": query})
    assert {r["name"] for r in response.get_json()["results"]} == {name}


def test_the_door_screens_search_reads_romaji_too(client, door, login, make_staff):
    ids, token = door
    login(make_staff("operator"))
    for query in ("Tanaka Yuki", "Yuki Tanaka"):
        response = client.get("/checkin/romaji/api/search", query_string={"q": query})
        assert [r["id"] for r in response.get_json()["results"]] == [ids["田中 ユキ"]]
