"""A message to registrants as people receive it: real SMTP on loopback, each reader's language,
their own link, multipart text + HTML, a Message-ID; and the operator's text made safe HTML."""
from __future__ import annotations

import re

import pytest

from events_app.mail import worker
from events_app.registration.message_mail import text_to_html
from tests.messages_support import send


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config, "MAIL_TIMEOUT": 5}


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


@pytest.fixture
def readers(make_event, make_registration, make_person):
    event = make_event(title="石炭部 OB/OG 交流会", title_translation="Coal Department alumni evening")
    hanako = make_registration(event, make_person(name="山田 花子", email="hanako@example.jp"))
    kate = make_registration(event, make_person(name="Kate Smith", email="kate@example.com", language="en"))
    return event, hanako, kate


BODY = "会場が12階に変わりました。\n地図: https://example.jp/map?floor=12&b=1。\n\n<b>名刺</b>をお持ちください。"
BODY_EN = "The venue moved to the 12th floor.\nMap: https://example.jp/map?floor=12&b=1."


def parts_of(mail) -> dict:
    return {part.get_content_type(): part.get_content() for part in mail.walk() if not part.is_multipart()}


def received(smtp_server, count: int) -> dict:
    assert worker.drain() == (count, 0)
    return {mail["To"]: mail for mail in smtp_server.wait_for(count)}


def test_each_reader_gets_their_language_and_their_own_link(client, db_backend, operator, readers, smtp_server):
    event, hanako, kate = readers
    send(client, event, body=BODY, subject_en="Venue moved", body_en=BODY_EN)
    mails = received(smtp_server, 2)
    japanese, english = mails["hanako@example.jp"], mails["kate@example.com"]

    assert japanese["Subject"] == "【石炭部 OB/OG 交流会】会場変更のお知らせ"
    ja = parts_of(japanese)
    assert "山田 花子 様" in ja["text/plain"] and "会場が12階に変わりました。" in ja["text/plain"]
    assert "「石炭部 OB/OG 交流会」の事務局からのお知らせです。" in ja["text/plain"]
    assert f"/r/{hanako.manage_token}" in ja["text/plain"] and f"/r/{kate.manage_token}" not in ja["text/plain"]
    assert japanese["Content-Language"] == "ja"

    assert english["Subject"] == "[Coal Department alumni evening] Venue moved"
    en = parts_of(english)
    assert "Dear Kate Smith," in en["text/plain"] and "The venue moved to the 12th floor." in en["text/plain"]
    assert "会場が12階" not in en["text/plain"] and "registered for this event" in en["text/plain"]
    assert f"/r/{kate.manage_token}" in en["text/html"] and f"/r/{hanako.manage_token}" not in en["text/html"]
    assert english["Content-Language"] == "en"


def test_mails_are_multipart_text_and_html_with_a_message_id(client, db_backend, operator, readers, smtp_server):
    event, _hanako, _kate = readers
    send(client, event, body=BODY)
    for mail in received(smtp_server, 2).values():
        alternative = next(p for p in mail.walk() if p.get_content_type() == "multipart/alternative")
        assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
        assert re.fullmatch(r"<outbox-\d+\.[0-9a-f]{16}@tsunagu\.example>", mail["Message-ID"])
        assert not [p for p in mail.walk() if p.get_content_type() in ("text/calendar", "image/png")]


def test_the_html_part_escapes_the_text_keeps_lines_and_links_urls(client, db_backend, operator, readers,
                                                                  smtp_server):
    event, _hanako, _kate = readers
    send(client, event, body=BODY)
    html = parts_of(received(smtp_server, 2)["hanako@example.jp"])["text/html"]
    assert "&lt;b&gt;名刺&lt;/b&gt;" in html and "<b>名刺" not in html
    assert "会場が12階に変わりました。<br>" in html
    assert '<a href="https://example.jp/map?floor=12&amp;b=1" style="color:#1d4e89;">https://example.jp/map?floor=12&amp;b=1</a>。' in html


def test_english_readers_without_an_english_version_get_the_japanese_text_in_an_english_frame(
        client, db_backend, operator, readers, smtp_server):
    event, _hanako, _kate = readers
    send(client, event)
    english = received(smtp_server, 2)["kate@example.com"]
    text = parts_of(english)["text/plain"]
    assert english["Subject"] == "[Coal Department alumni evening] 会場変更のお知らせ"
    assert "Dear Kate Smith," in text and "会場が12階に変わりました。" in text and "Your registration page" in text


@pytest.mark.parametrize("text, html", [
    ("一行目\n二行目", '<p style="margin:0 0 1em;">一行目<br>\n二行目</p>'),
    ("段落1\n\n段落2", '<p style="margin:0 0 1em;">段落1</p>\n<p style="margin:0 0 1em;">段落2</p>'),
    ("<script>alert(1)</script> & co", '<p style="margin:0 0 1em;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>'),
    ("資料はhttps://example.jp/slidesをご覧ください",
     '<p style="margin:0 0 1em;">資料は<a href="https://example.jp/slides" style="color:#1d4e89;">https://example.jp/slides</a>をご覧ください</p>'),
    ("See https://example.com/a.", '<p style="margin:0 0 1em;">See <a href="https://example.com/a" style="color:#1d4e89;">https://example.com/a</a>.</p>'),
    ("(https://en.wikipedia.org/wiki/Foo_(bar))",
     '<p style="margin:0 0 1em;">(<a href="https://en.wikipedia.org/wiki/Foo_(bar)" style="color:#1d4e89;">https://en.wikipedia.org/wiki/Foo_(bar)</a>)</p>'),
    ('https://x.jp/"onmouseover="alert(1)', '<p style="margin:0 0 1em;"><a href="https://x.jp/" style="color:#1d4e89;">https://x.jp/</a>&#34;onmouseover=&#34;alert(1)</p>'),
    ("javascript:alert(1)", '<p style="margin:0 0 1em;">javascript:alert(1)</p>'),
], ids=["line-break", "paragraphs", "markup-escaped", "url-in-japanese", "sentence-end", "parentheses",
        "quote-ends-url", "no-other-schemes"])
def test_plain_text_becomes_safe_html(text, html):
    assert str(text_to_html(text)) == html
