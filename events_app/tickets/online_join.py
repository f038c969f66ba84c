"""The webinar's personal join link: it records the online attendance, then opens the meeting."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..database import utcnow, write_transaction
from ..enums import AttendanceMode, CheckInKind, CheckInSource, EventStatus, RegistrationStatus
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


def record_online_join(registration: Registration) -> str:
    """Record a confirmed online attendee's first join (if the event is about to start or under
    way) and return the event's meeting URL."""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        # Registrations keep their status when the event is called off; the meeting is off too.
        raise Conflict(_("The event was cancelled: there is no ticket or join link any more."))
    if (registration.status != RegistrationStatus.CONFIRMED
            or registration.attendance_mode != AttendanceMode.ONLINE or not event.online_url):
        raise Conflict(_("The online link is only for confirmed online attendees."))
    if registration.online_joined_at is None and join_counts_as_attendance(event, utcnow()):
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

