"""What an edit may not take from an event people already signed up for or were told about:
the way of attending their registrations are for, and the page address in their mails."""
from __future__ import annotations

from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select

from ..enums import ACTIVE_REGISTRATION_STATUSES, AttendanceMode, EventKind, EventStatus
from ..extensions import db
from . import validation as v
from .models import Event


def active_by_mode(event_id: int) -> dict[AttendanceMode, int]:
    """Confirmed, pending and waitlisted registrations, by how they attend."""
    from ..registration.models import Registration  # registration imports events' models

    rows = db.session.execute(
        select(Registration.attendance_mode, func.count()).where(
            Registration.event_id == event_id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .group_by(Registration.attendance_mode))
    return {AttendanceMode(mode): count for mode, count in rows}


def has_registrations(event_id: int) -> bool:
    from ..registration.models import Registration

    return db.session.scalar(select(Registration.id).where(Registration.event_id == event_id).limit(1)) is not None


def broken_promises(event: Event, *, kind, slug) -> v.Errors:
    """Field errors for a new `kind` or `slug` (raw values, as given) that would break them."""
    errors: v.Errors = {}
    try:
        kind = EventKind(kind) if kind else event.kind
    except ValueError:
        kind = event.kind  # the field check reports it
    if kind != event.kind:
        active = active_by_mode(event.id)
        in_person, online = active.get(AttendanceMode.IN_PERSON, 0), active.get(AttendanceMode.ONLINE, 0)
        # Their tickets, mails and join links follow the way they chose: the kind must keep it.
        if in_person and kind == EventKind.WEBINAR:
            v.add(errors, "kind", ngettext(
                "%(num)d active registration (confirmed, pending approval or waitlisted) is for attending in "
                "person, and a webinar has no venue. Switch it to online or cancel it first, or make the event "
                "hybrid.",
                "%(num)d active registrations (confirmed, pending approval or waitlisted) are for attending in "
                "person, and a webinar has no venue. Switch them to online or cancel them first, or make the "
                "event hybrid.", in_person))
        if online and kind not in (EventKind.WEBINAR, EventKind.HYBRID):
            v.add(errors, "kind", ngettext(
                "%(num)d active registration (confirmed, pending approval or waitlisted) is for attending online, "
                "and this kind of event has no online side. Switch it to in person or cancel it first, or make "
                "the event hybrid.",
                "%(num)d active registrations (confirmed, pending approval or waitlisted) are for attending "
                "online, and this kind of event has no online side. Switch them to in person or cancel them "
                "first, or make the event hybrid.", online))
    slug = str(slug or "").strip().lower()
    if slug and slug != event.slug and (event.status != EventStatus.DRAFT or has_registrations(event.id)):
        # Mails, calendar entries and shared links hold the old address; it would answer 404.
        v.add(errors, "slug", _("The address cannot change once the event is published or has registrations: "
                                "mails and calendar entries link to /events/%(slug)s.", slug=event.slug))
    return errors
