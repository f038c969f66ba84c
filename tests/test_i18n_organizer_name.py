"""The organiser's name reaches each attendee in their language: mail signatures and ORGANIZER;CN."""
from __future__ import annotations

import icalendar
import pytest

from events_app.registration import services as registrations
from tests.support import deliver_mail

JA_NAME = "つなぐ アルムナイ事務局"
EN_NAME = "Tsunagu Alumni Office"


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


def organizer_cn(ics: bytes) -> str:
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return str(vevent["ORGANIZER"].params["CN"])


def received_by(runner, smtp_server, count: int) -> dict:
    deliver_mail(runner)
    return {str(m["To"]): m for m in smtp_server.wait_for(count)}


def register(event, email: str, language: str) -> None:
    person = {"name": "Emma Brown"} if language == "en" else {"name": "山田 花子", "name_kana": "ヤマダ ハナコ"}
    registrations.register(event, {**person, "email": email, "affiliation": "alumni", "consent": True},
                           language=language)


# --- settings ----------------------------------------------------------------------------------

ORGANIZER_VARIABLES = ("ORGANIZER_NAME", "ORGANIZER_NAME_JA", "ORGANIZER_NAME_EN")


@pytest.mark.parametrize("env, ja, en", [
    ({}, JA_NAME, EN_NAME),
    # An existing deployment named itself in ORGANIZER_NAME only: its attendees keep seeing that
    # name, never the demo's Japanese default.
    ({"ORGANIZER_NAME": "Acme Alumni Network"}, "Acme Alumni Network", "Acme Alumni Network"),
    ({"ORGANIZER_NAME": "Acme Alumni Network", "ORGANIZER_NAME_JA": "アクメ OB・OG会"},
     "アクメ OB・OG会", "Acme Alumni Network"),
    ({"ORGANIZER_NAME_EN": "Acme Alumni"}, JA_NAME, "Acme Alumni"),
])
def test_each_language_has_an_organizer_name_with_organizer_name_as_fallback(monkeypatch, env, ja, en):
    from events_app.config import load_config

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    for name in ORGANIZER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config()
    assert (config["ORGANIZER_NAME_JA"], config["ORGANIZER_NAME_EN"]) == (ja, en)


def test_a_language_without_its_own_name_uses_organizer_name(app):
    from events_app.i18n import organizer_name

    app.config.update(ORGANIZER_NAME="Acme Alumni Network", ORGANIZER_NAME_EN="")
    assert organizer_name("en") == "Acme Alumni Network"
    assert organizer_name("ja") == JA_NAME
    assert organizer_name("ja_JP") == JA_NAME
    assert organizer_name("fr") == "Acme Alumni Network"


# --- mail --------------------------------------------------------------------------------------

def test_the_mail_is_signed_in_the_attendees_language(app, runner, smtp_server, make_event):
    event = make_event(title="冬のアルムナイ交流会", title_translation="Winter alumni meetup")
    register(event, "hanako@example.jp", "ja")
    register(event, "emma@example.com", "en")
    received = received_by(runner, smtp_server, 2)

    for address, mine, other in (("hanako@example.jp", JA_NAME, EN_NAME), ("emma@example.com", EN_NAME, JA_NAME)):
        message = received[address]
        for kind in ("plain", "html"):
            body = message.get_body(preferencelist=(kind,)).get_content()
            assert mine in body and other not in body, (address, kind)


def test_the_mailed_invite_names_the_organizer_in_the_attendees_language(app, runner, smtp_server, make_event):
    event = make_event()
    register(event, "hanako@example.jp", "ja")
    register(event, "emma@example.com", "en")
    received = received_by(runner, smtp_server, 2)

    for address, name in (("hanako@example.jp", JA_NAME), ("emma@example.com", EN_NAME)):
        [part, *_] = [p for p in received[address].walk() if p.get_content_type() == "text/calendar"]
        assert organizer_cn(part.get_content().encode()) == name, address


# --- .ics downloads ----------------------------------------------------------------------------

@pytest.mark.parametrize("language, name", [("ja", JA_NAME), ("en", EN_NAME)])
def test_the_downloaded_invite_names_the_organizer_in_the_attendees_language(
        client, make_event, make_registration, make_person, language, name):
    registration = make_registration(make_event(), person=make_person(language=language))
    # The page's language is the other one: the invite is the attendee's, in their language.
    other = "en" if language == "ja" else "ja"
    response = client.get(f"/r/{registration.manage_token}/invite.ics?lang={other}")
    assert response.status_code == 200
    assert organizer_cn(response.data) == name


@pytest.mark.parametrize("language, name", [("ja", JA_NAME), ("en", EN_NAME)])
def test_the_public_event_ics_names_the_organizer_in_the_documents_language(client, make_event, language, name):
    event = make_event()
    response = client.get(f"/events/{event.slug}.ics?lang={language}")
    assert response.status_code == 200
    assert organizer_cn(response.data) == name
