"""Read-only questions about events: public listings and the operators' numbers."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from ..database import utcnow
from ..enums import EventKind, EventStatus, RegistrationStatus, Visibility
from ..errors import NotFound
from ..extensions import db
from .models import Event



def event_by_slug(slug: str) -> Event:
    """The event at this address, or NotFound (404 on pages and in the API, an error in the CLI)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(_("There is no event with the address “%(slug)s”.", slug=slug))
    return event


def public_events(*, kind: EventKind | None = None, when: str = "upcoming", limit: int = 200,
                  with_cancelled: bool = True) -> list[Event]:
    """Listed events the public may see; upcoming soonest first, past latest first.

    On the web list cancelled events stay visible (with their notice) so people who saw them
    learn they are off; the API leaves them out. Drafts and unlisted events never appear.
    """
    now = utcnow()
    shown = Event.status.in_((EventStatus.PUBLISHED, EventStatus.COMPLETED))
    if with_cancelled:  # only if it had been published: a cancelled draft was never announced
        shown = or_(shown, and_(Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None)))
    query = select(Event).where(Event.visibility == Visibility.LISTED, shown)
    if kind is not None:
        query = query.where(Event.kind == kind)
    if when == "past":
        query = query.where(Event.ends_at <= now, Event.status != EventStatus.CANCELLED).order_by(Event.starts_at.desc())
    else:
        query = query.where(Event.ends_at > now, Event.status != EventStatus.COMPLETED).order_by(Event.starts_at)
    return list(db.session.scalars(query.limit(limit)))


@dataclass
class EventNumbers:
    confirmed: int = 0
    confirmed_online: int = 0
    waitlisted: int = 0
    pending: int = 0
    checked_in: int = 0  # at the venue
    joined_online: int = 0  # joined by link and not also checked in at the venue
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def attended(self) -> int:
        """In person plus online, counted as the report counts them (each person once)."""
        return self.checked_in + self.joined_online


def event_numbers(event_ids: list[int]) -> dict[int, EventNumbers]:
    """Registration counts per event in one grouped query."""
    from ..enums import AttendanceMode
    from ..registration.models import Registration

    numbers = {event_id: EventNumbers() for event_id in event_ids}
    if not event_ids:
        return numbers
    rows = db.session.execute(
        select(
            Registration.event_id, Registration.status, Registration.attendance_mode, func.count(),
            func.sum(case((Registration.checked_in_at.is_not(None), 1), else_=0)),
            func.sum(case(((Registration.checked_in_at.is_(None)) & (Registration.online_joined_at.is_not(None)), 1),
                          else_=0)),
        ).where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status, Registration.attendance_mode)
    )
    for event_id, status, mode, count, checked_in, joined_online in rows:
        n = numbers[event_id]
        status = RegistrationStatus(status)
        n.by_status[status.value] = n.by_status.get(status.value, 0) + count
        if status == RegistrationStatus.CONFIRMED:
            if AttendanceMode(mode) == AttendanceMode.ONLINE:
                n.confirmed_online += count
            else:
                n.confirmed += count
        elif status == RegistrationStatus.WAITLISTED:
            n.waitlisted += count
        elif status == RegistrationStatus.PENDING:
            n.pending += count
        n.checked_in += int(checked_in or 0)
        n.joined_online += int(joined_online or 0)
    return numbers


def dashboard_events() -> tuple[list[Event], list[Event]]:
    """Upcoming (including drafts) soonest first, and the most recent past events."""
    now = utcnow()
    upcoming = list(db.session.scalars(select(Event).where(Event.ends_at > now).order_by(Event.starts_at)))
    past = list(db.session.scalars(select(Event).where(Event.ends_at <= now).order_by(Event.starts_at.desc()).limit(20)))
    return upcoming, past
