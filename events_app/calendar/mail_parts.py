"""Calendar parts for outgoing mail (the .ics invite, update or cancellation)."""
from __future__ import annotations

import logging

from ..enums import EventStatus, RegistrationStatus
from ..extensions import db
from ..mail.hooks import MailPart
from ..registration.models import Registration
from . import services
from .documents import CANCEL, REQUEST

log = logging.getLogger(__name__)


def invite_parts(message) -> list[MailPart]:
    """The `text/calendar; method=...` part for mails that carry or withdraw an invite.

    The SEQUENCE is the one recorded when the mail was queued (`payload["sequence"]`); a mail
    queued without one carries the registration's current SEQUENCE. A REQUEST is not attached
    when the registration is no longer confirmed by send time (the CANCEL that follows wins);
    a CANCEL only goes to someone who had an invite.
    """
    if message.registration_id is None:
        return []
    if message.template in services.REQUEST_TEMPLATES:
        method = REQUEST
    elif message.template in services.CANCEL_TEMPLATES:
        method = CANCEL
    else:
        return []
    registration = db.session.get(Registration, message.registration_id)
    if registration is None:
        return []
    payload = message.payload or {}
    if method == REQUEST and (registration.status != RegistrationStatus.CONFIRMED
                              or registration.event.status == EventStatus.CANCELLED):
        log.info("no invite attached to outbox message %s: registration %s is %s", message.id,
                 registration.id, registration.status)
        return []
    if method == CANCEL and "sequence" not in payload and not services.had_invite(registration):
        return []
    sequence = payload.get("sequence")
    if sequence is None:
        sequence = registration.calendar_sequence
    data = services.invite_document(registration, method=method, sequence=int(sequence))
    return [MailPart(
        filename="invite.ics" if method == REQUEST else "cancel.ics",
        maintype="text", subtype="calendar", data=data,
        params={"method": method}, as_alternative=True,
    )]
