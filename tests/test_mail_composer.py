"""The composer follows the hooks convention: inline images become multipart/related with a cid the
HTML refers to; a text/calendar part is both a body alternative and an attachment."""
from __future__ import annotations

import pytest

from events_app.database import write_transaction
from events_app.extensions import db
from events_app.mail import hooks, worker
from events_app.mail.hooks import MailPart
from events_app.mail.services import enqueue

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


def provide_parts(message):
    return [
        MailPart(filename="ticket.png", maintype="image", subtype="png", data=PNG, content_id="ticket-qr@test",
                 name="ticket_qr"),
        MailPart(filename="invite.ics", maintype="text", subtype="calendar", data=ICS,
                 params={"method": "REQUEST"}, as_alternative=True),
    ]


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


def test_inline_image_and_calendar_parts_are_placed_where_clients_expect_them(
        app, db_backend, monkeypatch, make_event, make_registration, smtp_server):
    monkeypatch.setattr(hooks, "ATTACHMENT_PROVIDERS", ["tests.test_mail_composer:provide_parts"])
    reg = make_registration(make_event())
    with write_transaction():
        enqueue("registration_confirmed", to=reg.person.email, registration=reg)
    assert worker.drain() == (1, 0)
    [msg] = smtp_server.wait_for(1)
    assert msg.get_content_type() == "multipart/mixed"
    alternative = next(p for p in msg.walk() if p.get_content_type() == "multipart/alternative")
    inner = [p.get_content_type() for p in alternative.iter_parts()]
    assert inner == ["text/plain", "multipart/related", "text/calendar"]
    related = next(p for p in alternative.iter_parts() if p.get_content_type() == "multipart/related")
    html, image = list(related.iter_parts())
    assert image["Content-ID"] == "<ticket-qr@test>" and image.get_content() == PNG
    assert 'src="cid:ticket-qr@test"' in html.get_content()
    calendar_body = list(alternative.iter_parts())[2]
    assert calendar_body.get_param("method") == "REQUEST"
    attachment = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert attachment and attachment[0].get_filename() == "invite.ics"
    db.session.rollback()
