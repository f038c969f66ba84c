"""The webinar's personal join link: it records the online attendance, then opens the meeting."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..database import utcnow, write_transaction
from ..enums import AttendanceMode, CheckInKind, CheckInSource, RegistrationStatus
from ..errors import Conflict
from ..events.models import Event
from ..extensions import db
from ..registration.models import Registration
from .row_helpers import _history_row

# The join link counts as attendance from this long before the start until the end; a click
# weeks ahead (testing the link from the confirmation mail) still opens the meeting, uncounted.
JOIN_COUNTS_FROM_BEFORE_START = timedelta(minutes=60)


def join_counts_as_attendance(event: Event, at: datetime) -> bool:
    return event.starts_at - JOIN_COUNTS_FROM_BEFORE_START <= at <= event.ends_at


def event_cancelled_message() -> str:
    return _("The event was cancelled: there is no ticket or join link any more.")


def _not_confirmed(status: RegistrationStatus) -> str:
    """Why the join link does not open the meeting yet or any more (it is a link, not a ticket)."""
    messages = {
        RegistrationStatus.PENDING: _("Your registration is awaiting approval; the join link works once it is confirmed."),
        RegistrationStatus.WAITLISTED: _("You are on the waiting list; the join link works once a place is confirmed."),
        RegistrationStatus.CANCELLED: _("This registration was cancelled, so the join link no longer opens the event."),
        RegistrationStatus.REJECTED: _("This registration was not accepted, so the join link does not open the event."),
    }
    return messages.get(status, _("This join link does not open the event."))


def _refusal(registration: Registration) -> str | None:
    """Why this registration's join link may not open the meeting, or None."""
    event = registration.event
    if event.is_cancelled:
        # Registrations keep their status when the event is called off; the meeting is off too.
        return event_cancelled_message()
    if registration.attendance_mode != AttendanceMode.ONLINE:
        return _("You registered to attend in person; the online link is for online attendees.")
    if registration.status != RegistrationStatus.CONFIRMED:
        return _not_confirmed(registration.status)
    if not event.online_url:
        return _("The organisers have not published the online meeting link yet. Please try again closer to the start.")
    return None


def record_online_join(registration: Registration) -> str:
    """Record a confirmed online attendee's first join (if the event is about to start or under
    way) and return the event's meeting URL; a Conflict says why the link does not open."""
    if (refusal := _refusal(registration)) is not None:
        raise Conflict(refusal)
    if registration.online_joined_at is None and join_counts_as_attendance(registration.event, utcnow()):
        registration_id = registration.id
        with write_transaction():
            now = utcnow()
            # A conditional UPDATE: two tabs opening the link at once record one join.
            changed = db.session.execute(
                sa.update(Registration).where(Registration.id == registration_id,
                                              Registration.online_joined_at.is_(None))
                .values(online_joined_at=now)
            ).rowcount
            if changed:
                registration = db.session.get(Registration, registration_id)
                _history_row(registration, CheckInKind.CHECK_IN, staff_id=None, source=CheckInSource.ONLINE_JOIN,
                             mode=AttendanceMode.ONLINE)
        registration = db.session.get(Registration, registration_id)
    return registration.event.online_url

