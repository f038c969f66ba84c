"""Ticket parts for outgoing mail (the inline QR image)."""
from __future__ import annotations

from ..enums import AttendanceMode, RegistrationStatus
from ..extensions import db
from ..mail.hooks import MailPart
from ..registration.models import Registration

# The mails that tell someone their seat is confirmed carry their ticket (a switch to in person
# too: `ticket_parts` leaves it out of a switch to online), and so does the one that replaces a
# revoked ticket.
TICKET_TEMPLATES = ("registration_confirmed", "registration_approved", "registration_promoted",
                    "registration_attendance_switched", "ticket_reissued")


def ticket_parts(message) -> list[MailPart]:
    """The QR as an inline PNG (`inline_images.ticket_qr` in the mail templates), for confirmations.

    Online-only attendees get no QR (they join through their link). The ticket is issued here
    on first need, so a confirmation mailed by any path carries a code the door accepts.
    """
    from . import codes, documents, services

    if message.template not in TICKET_TEMPLATES or message.registration_id is None:
        return []
    registration = db.session.get(Registration, message.registration_id)
    if (registration is None or registration.status != RegistrationStatus.CONFIRMED
            or registration.attendance_mode == AttendanceMode.ONLINE):
        return []
    code = services.ticket_code(registration)
    png = documents.qr_png(codes.ticket_url(code), box_size=8)
    return [MailPart(filename="ticket-qr.png", maintype="image", subtype="png", data=png,
                     content_id=f"ticket-qr-{message.id}@tsunagu", name="ticket_qr")]
