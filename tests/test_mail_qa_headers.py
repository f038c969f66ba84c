"""Mail headers and the .ics attachment as a mail client reads them, with MAIL_FROM in the
README's "Name <address>" form: the ORGANIZER is an address, the attachment's Japanese survives,
the Date has a zone, and replies reach the organiser."""
from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime

import icalendar
import pytest

from events_app import create_app
from events_app.config import ConfigError
from events_app.database import write_transaction
from events_app.mail.services import enqueue
from tests.support import deliver_mail as deliver

MAIL_FROM = "つなぐ事務局 <alumni@tsunagu.example>"


@pytest.fixture
def organizer_env(request, monkeypatch):
    """The environment load_config reads; ORGANIZER_EMAIL is the (indirect) parameter, else unset."""
    monkeypatch.setenv("MAIL_FROM", MAIL_FROM)
    monkeypatch.delenv("ORGANIZER_EMAIL", raising=False)
    if getattr(request, "param", None):
        monkeypatch.setenv("ORGANIZER_EMAIL", request.param)
    return monkeypatch


@pytest.fixture
def app_config(app_config, mail_config, organizer_env):
    return {**app_config, **mail_config, "MAIL_FROM": MAIL_FROM}


def vevent_of(data: bytes):
    [vevent] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return vevent


def confirmation_mail(runner, smtp_server, make_event, make_registration):
    event = make_event(title="冬のアルムナイ交流会", venue_name="本社 20階 ホール")
    registration = make_registration(event)
    with write_transaction():
        enqueue("registration_confirmed", to=registration.person.email, registration=registration)
    deliver(runner)
    [received] = smtp_server.wait_for(1)
    # Parsed again from the bytes on the wire, as a mail client would.
    return message_from_bytes(received.as_bytes(), policy=policy.default)


def test_the_public_ics_organizer_is_mail_froms_address(client, make_event):
    event = make_event()
    vevent = vevent_of(client.get(f"/events/{event.slug}.ics").data)
    assert str(vevent["ORGANIZER"]) == "mailto:alumni@tsunagu.example"


def test_the_invite_organizer_is_an_address_and_its_japanese_survives(runner, smtp_server, make_event,
                                                                      make_registration):
    message = confirmation_mail(runner, smtp_server, make_event, make_registration)
    [attachment] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert attachment.get_content_charset() == "utf-8"
    vevent = vevent_of(attachment.get_content().encode("utf-8"))
    assert str(vevent["SUMMARY"]) == "冬のアルムナイ交流会"
    assert "本社 20階 ホール" in str(vevent["LOCATION"])
    assert str(vevent["ORGANIZER"]) == "mailto:alumni@tsunagu.example"


def test_the_date_header_is_in_utc_not_an_unknown_zone(runner, smtp_server, make_event, make_registration):
    message = confirmation_mail(runner, smtp_server, make_event, make_registration)
    assert str(message["Date"]).endswith("+0000")
    assert parsedate_to_datetime(str(message["Date"])).utcoffset() is not None


def test_no_reply_to_when_the_organizer_is_the_sender(runner, smtp_server, make_event, make_registration):
    message = confirmation_mail(runner, smtp_server, make_event, make_registration)
    assert message["Reply-To"] is None


@pytest.mark.parametrize("organizer_env", ["office@tsunagu.example", "事務局 <office@tsunagu.example>"],
                         indirect=True)
def test_replies_go_to_an_organizer_other_than_the_sender(organizer_env, runner, smtp_server, make_event,
                                                          make_registration):
    message = confirmation_mail(runner, smtp_server, make_event, make_registration)
    assert message["Reply-To"].addresses[0].addr_spec == "office@tsunagu.example"
    assert message["From"].addresses[0].addr_spec == "alumni@tsunagu.example"
    attachment = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    assert str(vevent_of(attachment.get_content().encode("utf-8"))["ORGANIZER"]) == "mailto:office@tsunagu.example"


@pytest.mark.parametrize("bad", ["事務局", "office", "mailto:", "@tsunagu.example"])
def test_an_organizer_email_that_is_not_an_address_is_refused_at_start(organizer_env, app_config, bad):
    organizer_env.setenv("ORGANIZER_EMAIL", bad)
    with pytest.raises(ConfigError, match="ORGANIZER_EMAIL must be an e-mail address"):
        create_app(app_config)
