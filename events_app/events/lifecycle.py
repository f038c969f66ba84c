"""An event's life after its creation: publish, cancel, mark completed."""
from __future__ import annotations

from flask_babel import gettext as _

from ..audit.services import record
from ..calendar import services as calendar_services
from ..database import utcnow, write_transaction
from ..enums import EventStatus
from ..errors import Conflict, ErrorCode, NotFound, ValidationError
from ..extensions import db
from ..registration.message_schedule import cancel_event_messages
from .labels import status_label
from .models import Event


def publish_event(event_id: int, *, actor) -> Event:
    from .services import _refuse_unready, missing_for_publishing  # services re-exports this module

    with write_transaction():
        event = db.session.get(Event, event_id, with_for_update=True)
        if event is None:
            raise NotFound(_("No such event."))
        if event.status != EventStatus.DRAFT:
            raise Conflict(_("Only a draft can be published; this event is %(status)s.",
                             status=status_label(event.status)), code=ErrorCode.INVALID_STATE)
        if event.ends_at <= utcnow():
            raise Conflict(_("This event has already ended; it cannot be published."), code=ErrorCode.INVALID_STATE)
        _refuse_unready(missing_for_publishing(event.kind, event.venue_name, event.online_url))
        event.status = EventStatus.PUBLISHED
        event.published_at = utcnow()
        record(actor, "event.published", "event", event.id, event_id=event.id)
    return event


def cancel_event(event_id: int, *, actor, reason: str = "") -> Event:
    """Cancel a draft or published event; attendees' calendars get a cancellation, its scheduled messages stop."""
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError(_("Some fields need attention."),
                              fields={"reason": [_("Keep this under %(max)d characters (it has %(n)d).", max=2000, n=len(reason))]})
    with write_transaction():
        event = db.session.get(Event, event_id, with_for_update=True)
        if event is None:
            raise NotFound(_("No such event."))
        if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
            raise Conflict(_("This event is %(status)s; it cannot be cancelled.", status=status_label(event.status)),
                           code=ErrorCode.INVALID_STATE)
        event.status = EventStatus.CANCELLED
        event.cancelled_at = utcnow()
        event.cancellation_reason = reason
        event.calendar_sequence += 1
        calendar_services.queue_event_cancellation(event, actor=actor)
        record(actor, "event.cancelled", "event", event.id, event_id=event.id, details={"reason": reason})
        # Now, not at their send time: else the operators' history shows them as scheduled until then.
        cancel_event_messages(event.id, actor=actor, now=event.cancelled_at)
    return event


def complete_event(event_id: int, *, actor) -> Event:
    """Mark a published event that has ended as completed."""
    with write_transaction():
        event = db.session.get(Event, event_id, with_for_update=True)
        if event is None:
            raise NotFound(_("No such event."))
        if event.status != EventStatus.PUBLISHED or event.ends_at > utcnow():
            raise Conflict(_("Only a published event that has ended can be marked completed."),
                           code=ErrorCode.INVALID_STATE)
        event.status = EventStatus.COMPLETED
        record(actor, "event.completed", "event", event.id, event_id=event.id)
    return event
