"""Every QR we produce (PNG, SVG, the PDF ticket, the mail's inline image) decodes to a code the door accepts."""
from __future__ import annotations

import base64
import io
import subprocess

import pytest
import zxingcpp
from PIL import Image

from events_app.database import write_transaction
from events_app.extensions import db
from events_app.tickets import codes, documents, services
from events_app.tickets.services import CheckInResult
from tests.support import require_executable


def decode_png(data: bytes) -> str:
    image = Image.open(io.BytesIO(data)).convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, "expected exactly one QR code in the image"
    return found[0].text


def pdf_pages_to_png(pdf: bytes, tmp_path, dpi: int = 150) -> bytes:
    pdftoppm = require_executable("pdftoppm", "poppler-utils")
    source = tmp_path / "in.pdf"
    source.write_bytes(pdf)
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-singlefile", str(source), str(tmp_path / "page")],
                   check=True, timeout=60)
    return (tmp_path / "page.png").read_bytes()


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def attendee(db_backend, make_event, make_registration, make_person, make_staff):
    event = make_event(slug="gala", title="秋のアルムナイ交流会", venue_name="本社 20階 ホール")
    person = make_person(name="鈴木 美咲", name_kana="スズキ ミサキ")
    return event, make_registration(event, person=person), make_staff("checkin")


def assert_admits(event, staff, scanned_text):
    assert scanned_text.startswith("http://localhost/t/")
    assert services.check_in_code(event, scanned_text, staff=staff).result == CheckInResult.OK


def test_png_route_decodes_to_an_accepted_code(client, attendee):
    event, registration, staff = attendee
    response = client.get(f"/r/{registration.manage_token}/ticket.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "no-store" in response.headers["Cache-Control"]
    assert_admits(event, staff, decode_png(response.data))


def test_svg_route_rasterised_decodes_to_an_accepted_code(client, attendee, tmp_path):
    """Rasterised independently of qrcode: WeasyPrint renders the SVG, poppler rasterises it."""
    event, registration, staff = attendee
    response = client.get(f"/r/{registration.manage_token}/ticket.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<?xml") or b"<svg" in response.data[:200]
    uri = "data:image/svg+xml;base64," + base64.b64encode(response.data).decode()
    pdf = documents.ticket_pdf(f'<html><body style="margin:0"><img src="{uri}" style="width:80mm;height:80mm"></body></html>')
    assert_admits(event, staff, decode_png(pdf_pages_to_png(pdf, tmp_path)))


def test_pdf_ticket_is_one_page_with_name_event_time_venue_and_a_working_qr(client, attendee, tmp_path):
    pdftotext = require_executable("pdftotext", "poppler-utils")
    event, registration, staff = attendee
    response = client.get(f"/r/{registration.manage_token}/ticket.pdf", headers={"Accept-Language": "ja"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert page_count(response.data) == 1
    (tmp_path / "t.pdf").write_bytes(response.data)
    text = subprocess.run([pdftotext, str(tmp_path / "t.pdf"), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode()
    local = event.starts_at.astimezone(event.tz)
    for expected in ["鈴木 美咲", "秋のアルムナイ交流会", "本社 20階 ホール", local.strftime("%H:%M"),
                     local.strftime("%Y/%m/%d")]:
        assert expected in text, expected
    assert_admits(event, staff, decode_png(pdf_pages_to_png(response.data, tmp_path)))


@pytest.mark.parametrize("status", ["waitlisted", "pending", "cancelled"])
@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_no_ticket_for_registrations_that_are_not_confirmed(client, db_backend, make_event, make_registration,
                                                            status, suffix):
    registration = make_registration(make_event(), status=status)
    response = client.get(f"/r/{registration.manage_token}/ticket.{suffix}", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert b"ticket" in response.data.lower()


def test_unknown_link_is_404(client, db_backend):
    assert client.get("/r/not-a-real-token/ticket.png").status_code == 404


def test_the_registration_answer_links_ticket_qr_to_the_png(app, attendee):
    from events_app.registration.links import registration_links

    _, registration, _ = attendee
    assert registration_links(registration)["ticket_qr"].endswith(f"/r/{registration.manage_token}/ticket.png")


def test_confirmation_mail_carries_the_qr_inline(app, attendee):
    from events_app.mail.composer import compose
    from events_app.mail.services import enqueue

    event, registration, staff = attendee
    with write_transaction():
        message = enqueue("registration_confirmed", to=registration.person.email, registration=registration)
    message.message_id = "<t@tsunagu>"
    mime = compose(message)
    images = [p for p in mime.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    assert images[0]["Content-ID"] == f"<ticket-qr-{message.id}@tsunagu>"
    assert_admits(event, staff, decode_png(images[0].get_content()))
    # The plain-text part says where the QR is (it cannot show it).
    assert "QR" in mime.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize("template", ["registration_waitlisted", "registration_cancelled"])
def test_other_mails_carry_no_ticket(app, attendee, template):
    from events_app.mail.services import enqueue
    from events_app.tickets.mail_parts import ticket_parts

    _, registration, _ = attendee
    with write_transaction():
        message = enqueue(template, to=registration.person.email, registration=registration)
    assert ticket_parts(message) == []


def test_online_attendees_get_no_qr_in_mail(app, db_backend, make_event, make_registration):
    from events_app.enums import EventKind
    from events_app.mail.services import enqueue
    from events_app.tickets.mail_parts import ticket_parts

    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/z", online_capacity=10)
    registration = make_registration(event, attendance_mode="online")
    with write_transaction():
        message = enqueue("registration_confirmed", to=registration.person.email, registration=registration)
    assert ticket_parts(message) == []


def test_reissued_ticket_png_changes_and_the_old_one_is_revoked(client, attendee, make_staff):
    event, registration, staff = attendee
    old = decode_png(client.get(f"/r/{registration.manage_token}/ticket.png").data)
    services.reissue_ticket(registration.id, actor=make_staff("operator"), reason="紛失")
    new = decode_png(client.get(f"/r/{registration.manage_token}/ticket.png").data)
    assert old != new
    assert services.check_in_code(event, old, staff=staff).result == CheckInResult.REVOKED
    assert services.check_in_code(event, new, staff=staff).result == CheckInResult.OK


def test_a_reissued_ticket_is_mailed_at_once_with_the_new_qr(app, attendee, make_staff):
    from sqlalchemy import select

    from events_app.extensions import db
    from events_app.mail.composer import compose
    from events_app.mail.models import OutboxMessage

    event, registration, staff = attendee
    old = services.ticket_code(registration)
    services.reissue_ticket(registration.id, actor=make_staff("operator"), reason="スマホ紛失")
    [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "ticket_reissued")).all()
    assert message.to_address == registration.person.email and message.registration_id == registration.id
    message.message_id = "<reissued@tsunagu>"
    mime = compose(message)
    [image] = [p for p in mime.walk() if p.get_content_type() == "image/png"]
    scanned = decode_png(image.get_content())
    assert codes.verify(scanned) != codes.verify(codes.ticket_url(old))
    text = mime.get_body(preferencelist=("plain",)).get_content()
    assert "スマホ紛失" not in text  # the staff's reason stays with the staff
    assert services.check_in_code(event, old, staff=staff).result == CheckInResult.REVOKED
    assert_admits(event, staff, scanned)


def test_code_is_compact_uppercase_base32(app, attendee):
    _, registration, _ = attendee
    code = services.ticket_code(registration)
    assert len(code) == codes.CODE_LENGTH and code.isupper() and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    db.session.rollback()


@pytest.mark.parametrize("event_lengths, person_lengths", [
    ((200, 160, 300), (6, 10, 12)),      # a long event title and venue (the QA pass's two-page ticket)
    ((200, 200, 400), (200, 200, 200)),  # every field at its longest
])
def test_pdf_ticket_stays_one_page_with_long_fields(client, db_backend, make_event, make_registration, make_person,
                                                    make_staff, tmp_path, event_lengths, person_lengths):
    title, venue, address = event_lengths
    name, kana, company = person_lengths
    event = make_event(title="秋" * title, venue_name="館" * venue, venue_address="東" * address)
    person = make_person(name="鈴" * name, name_kana="ス" * kana, company="株" * company)
    registration = make_registration(event, person=person)
    response = client.get(f"/r/{registration.manage_token}/ticket.pdf")
    assert response.status_code == 200 and page_count(response.data) == 1
    assert_admits(event, make_staff("checkin"), decode_png(pdf_pages_to_png(response.data, tmp_path)))
