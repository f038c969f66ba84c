"""Hosts' title and profile in the event's other language: the public page shows each visitor
the one in their language, operators type it on the host form, duplicating keeps it, and the
demo's hosts have one. The JSON API: test_api_event_hosts.py; migration 0006:
test_events_host_translation_migration.py."""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from events_app.events.models import Event, Host
from events_app.extensions import db
from tests.test_events_admin_pages import EN, operator_client  # noqa: F401  (a fixture)

JA = {"Accept-Language": "ja"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
JA_TITLE, EN_TITLE = "代表取締役 CEO", "Founder and CEO"
JA_PROFILE, EN_PROFILE = "石炭部から**起業**。", "From the Coal Department to **founding** a start-up."


@pytest.fixture
def make_host(app) -> Callable:
    """make_host(event, **fields) -> a Host of that event."""
    def factory(event, **fields):
        values = dict(event_id=event.id, role="host", name="佐藤 健一", current_company="カーボンリンク株式会社",
                      former_department="石炭部", position=len(event.hosts))
        values.update(fields)
        host = Host(**values)
        db.session.add(host)
        db.session.commit()
        return host
    return factory


def hosts_section(client, event, headers) -> str:
    html = client.get(f"/events/{event.slug}", headers=headers).get_data(as_text=True)
    section = re.search(r'<section class="hosts" id="hosts">(.*?)</section>', html, re.S)
    assert section, "no hosts section"
    return section.group(1)


def field_error(html: str, field_id: str) -> str:
    """The messages shown in a field's block (id="field-<id>"); a block holds no other div."""
    block = re.search(rf'id="field-{field_id}">(.*?)</div>', html, re.S)
    assert block, f"no field {field_id}"
    return " ".join(re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group(1), re.S))


# --- the public event page ---------------------------------------------------------------

@pytest.mark.parametrize("event_language, original, translated, visitor, shown, hidden", [
    ("ja", (JA_TITLE, JA_PROFILE), (EN_TITLE, EN_PROFILE), EN, ("Founder and CEO", "<strong>founding</strong>"),
     "代表取締役"),
    ("ja", (JA_TITLE, JA_PROFILE), (EN_TITLE, EN_PROFILE), JA, ("代表取締役 CEO", "<strong>起業</strong>"),
     "Founder"),
    ("en", (EN_TITLE, EN_PROFILE), (JA_TITLE, JA_PROFILE), JA, ("代表取締役 CEO", "<strong>起業</strong>"),
     "Founder"),
    ("en", (EN_TITLE, EN_PROFILE), (JA_TITLE, JA_PROFILE), EN, ("Founder and CEO", "<strong>founding</strong>"),
     "代表取締役"),
], ids=["ja-event-en-visitor", "ja-event-ja-visitor", "en-event-ja-visitor", "en-event-en-visitor"])
def test_visitors_read_the_hosts_title_and_profile_in_their_language(client, db_backend, make_event, make_host,
                                                                     event_language, original, translated,
                                                                     visitor, shown, hidden):
    event = make_event(language=event_language)
    make_host(event, current_title=original[0], profile=original[1],
              current_title_translation=translated[0], profile_translation=translated[1])
    section = hosts_section(client, event, visitor)
    assert all(text in section for text in shown) and hidden not in section


def test_without_a_translation_every_visitor_reads_the_original(client, db_backend, make_event, make_host):
    event = make_event(language="ja")
    make_host(event, current_title=JA_TITLE, profile=JA_PROFILE)
    section = hosts_section(client, event, EN)
    assert "代表取締役 CEO" in section and "<strong>起業</strong>" in section


def test_a_translated_title_alone_leaves_the_profile_in_the_original(client, db_backend, make_event, make_host):
    event = make_event(language="ja")
    make_host(event, current_title=JA_TITLE, profile=JA_PROFILE, current_title_translation=EN_TITLE)
    section = hosts_section(client, event, EN)
    assert "Founder and CEO" in section and "<strong>起業</strong>" in section


def test_company_and_department_stay_as_written(client, db_backend, make_event, make_host):
    event = make_event(language="ja")
    make_host(event, current_title=JA_TITLE, current_title_translation=EN_TITLE)
    section = hosts_section(client, event, EN)
    assert "Founder and CEO · カーボンリンク株式会社" in section and "石炭部" in section


def test_the_translated_profile_is_sanitised_like_the_original(client, db_backend, make_event, make_host):
    event = make_event(language="ja")
    make_host(event, profile=JA_PROFILE,
              profile_translation='<script>alert(1)</script> [site](javascript:alert(2)) <img src=x onerror=alert(3)>')
    section = hosts_section(client, event, EN)
    assert "&lt;script&gt;" in section  # shown as text, never run
    assert "<script" not in section and 'href="javascript' not in section and "<img" not in section


# --- the operators' event page ------------------------------------------------------------

def operators_host_row(client, event, host) -> str:
    html = client.get(f"/admin/events/{event.slug}").get_data(as_text=True)
    row = re.search(rf'<li class="card row" id="host-{host.id}">(.*?)</li>', html, re.S)
    assert row, "no host row"
    return row.group(1)


@pytest.mark.parametrize("operator_language, shown, hidden", [
    ("en", EN_TITLE, JA_TITLE), ("ja", JA_TITLE, EN_TITLE)])
def test_operators_read_the_hosts_title_in_their_own_language(client, login, make_staff, db_backend, make_event,
                                                              make_host, operator_language, shown, hidden):
    """As on the public page: an English operator of a Japanese event reads the English title."""
    event = make_event()
    host = make_host(event, current_title=JA_TITLE, current_title_translation=EN_TITLE)
    operator = make_staff("operator")
    operator.language = operator_language
    db.session.commit()
    row = operators_host_row(login(operator), event, host)
    assert shown in row and hidden not in row and "カーボンリンク株式会社" in row


def test_operators_read_an_untranslated_title_as_written(operator_client, make_event, make_host):
    event = make_event()
    host = make_host(event, current_title=JA_TITLE)
    assert JA_TITLE in operators_host_row(operator_client, event, host)


# --- the operators' host form -------------------------------------------------------------

def host_form(**overrides) -> dict:
    data = {"role": "host", "name": "佐藤 健一", "current_company": "カーボンリンク株式会社",
            "current_title": JA_TITLE, "current_title_translation": EN_TITLE,
            "profile": JA_PROFILE, "profile_translation": EN_PROFILE}
    data.update(overrides)
    return data


def test_the_host_form_offers_both_translations(operator_client, make_event):
    event = make_event()
    html = operator_client.get(f"/admin/events/{event.slug}/hosts/new", headers=EN).get_data(as_text=True)
    assert "Title now in the other language" in html and "Profile in the other language" in html


def test_the_host_form_in_japanese_labels_them(operator_client, make_event):
    operator_client.set_cookie("tsunagu_lang", "ja")
    event = make_event()
    html = operator_client.get(f"/admin/events/{event.slug}/hosts/new").get_data(as_text=True)
    assert "現在の役職（もう一方の言語）" in html and "プロフィール（もう一方の言語）" in html


def test_adding_a_host_saves_the_translations(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/hosts/new", data=host_form())
    assert response.status_code == 302
    host = db.session.scalar(select(Host))
    assert (host.current_title_translation, host.profile_translation) == (EN_TITLE, EN_PROFILE)


def test_editing_a_host_shows_and_changes_the_translations(operator_client, make_event, make_host):
    event = make_event()
    host = make_host(event, current_title_translation=EN_TITLE, profile_translation=EN_PROFILE)
    url = f"/admin/events/{event.slug}/hosts/{host.id}/edit"
    html = operator_client.get(url, headers=EN).get_data(as_text=True)
    assert f'value="{EN_TITLE}"' in html and "From the Coal Department" in html
    response = operator_client.post(url, data=host_form(current_title_translation="CEO", profile_translation=""))
    assert response.status_code == 302
    db.session.refresh(host)
    assert (host.current_title_translation, host.profile_translation) == ("CEO", "")


@pytest.mark.parametrize("field, length, limit", [
    ("current_title_translation", 201, 200),
    ("profile_translation", 2001, 2000),
])
def test_an_overlong_translation_is_refused_next_to_its_field_and_kept(operator_client, make_event, field,
                                                                       length, limit):
    event = make_event()
    typed = "x" * length
    response = operator_client.post(f"/admin/events/{event.slug}/hosts/new", data=host_form(**{field: typed}),
                                    headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Keep this under {limit} characters (it has {length})." in field_error(html, field)
    assert typed in html
    assert db.session.scalar(select(Host)) is None


def test_a_refused_form_keeps_everything_typed(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/hosts/new", headers=EN,
                                    data=host_form(current_title_translation="y" * 201))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert all(text in html for text in ("y" * 201, JA_TITLE, "From the Coal Department to **founding**",
                                         "石炭部から**起業**。", "カーボンリンク株式会社"))


def test_the_translation_section_opens_when_it_holds_an_error(operator_client, make_event):
    event = make_event()
    html = operator_client.post(f"/admin/events/{event.slug}/hosts/new", headers=EN,
                                data=host_form(current_title_translation="", profile_translation="z" * 2001)
                                ).get_data(as_text=True)
    assert re.search(r"<details\s+open", html)


# --- duplicating, and the demo -------------------------------------------------------------

def test_duplicating_an_event_keeps_its_hosts_translations(db_backend, make_staff, make_event, make_host):
    from events_app.events import services
    from tests.conftest import in_days

    event = make_event()
    make_host(event, current_title_translation=EN_TITLE, profile_translation=EN_PROFILE)
    copy = services.duplicate_event(event.id, actor=make_staff("operator"), starts_at=in_days(60))
    assert [(h.current_title_translation, h.profile_translation) for h in copy.hosts] == [(EN_TITLE, EN_PROFILE)]


def test_every_demo_host_has_an_english_title_and_profile(runner, db_backend):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    hosts = list(db.session.scalars(select(Host)))
    assert len(hosts) >= 8
    for host in hosts:
        assert host.event.language == "ja"
        for text in (host.current_title_translation, host.profile_translation):
            assert text and not JAPANESE.search(text), host.name


def test_an_english_visitor_of_the_demo_reads_the_hosts_in_english(client, runner, db_backend):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    event = db.session.scalar(select(Event).where(Event.slug == "kabeuchi-night"))
    section = hosts_section(client, event, EN)
    for host in event.hosts:
        assert host.current_title_translation in section and host.current_title not in section
