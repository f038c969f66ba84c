"""Duplicating an event: its next edition as a new draft, with sessions, hosts and questions."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..audit.services import record
from ..database import utcnow, write_transaction
from ..enums import EventStatus
from ..errors import ValidationError
from ..extensions import db
from . import validation as v
from .models import Event, EventSession, Host, Question
from .slugs import copy_slug


def duplicate_event(event_id: int, *, actor, starts_at: datetime | None = None) -> Event:
    """Copy an event with its programme as a new draft, moved to a new start in the future (the
    copy is the next edition: one in the past, or in the very same slot, is a slip)."""
    from .services import get_event  # services re-exports this module

    source = get_event(event_id)
    errors: v.Errors = {}
    new_start = v.moment(errors, "starts_at", starts_at, source.timezone, required=True)
    if new_start is not None and new_start <= utcnow():
        v.add(errors, "starts_at", _("Choose a start in the future: the copy is a new edition."))
    elif new_start is not None and new_start == source.starts_at:
        v.add(errors, "starts_at", _("This is when the original takes place; choose the new edition's start."))
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)
    shift = new_start - source.starts_at
    with write_transaction():
        source = get_event(event_id)
        values = {name: getattr(source, name) for name in (
            "kind", "visibility", "language", "title", "description", "title_translation", "description_translation",
            "timezone", "venue_name", "venue_address", "venue_map_url", "venue_latitude", "venue_longitude",
            "online_url", "capacity", "online_capacity", "audience_alumni", "audience_employees", "audience_guests",
            "requires_approval", "session_choice_required", "reminder_hours_before", "online_reminder_minutes_before", "survey_enabled",
            "checkin_opens_minutes")}
        copy = Event(slug=copy_slug(source.slug), status=EventStatus.DRAFT, starts_at=source.starts_at + shift,
                     ends_at=source.ends_at + shift, **values)
        for field in ("registration_opens_at", "registration_closes_at"):
            value = getattr(source, field)
            setattr(copy, field, value + shift if value else None)
        db.session.add(copy)
        host_map: dict[int, Host] = {}
        for host in source.hosts:
            new_host = Host(**{c: getattr(host, c) for c in (
                "person_id", "role", "name", "name_kana", "current_company", "current_title",
                "current_title_translation", "former_department", "joined_year", "left_year", "profile",
                "profile_translation", "position")})
            copy.hosts.append(new_host)
            host_map[host.id] = new_host
        for session in source.sessions:
            copy.sessions.append(EventSession(
                kind=session.kind, title=session.title, title_translation=session.title_translation,
                description=session.description, host=host_map.get(session.host_id),
                starts_at=session.starts_at + shift, ends_at=session.ends_at + shift, room=session.room,
                online_url=session.online_url, capacity=session.capacity, position=session.position))
        for question in source.questions:
            copy.questions.append(Question(kind=question.kind, label=question.label,
                                           label_translation=question.label_translation,
                                           choices=list(question.choices or []),
                                           choices_translation=list(question.choices_translation or []),
                                           required=question.required,
                                           position=question.position))
        db.session.flush()
        record(actor, "event.duplicated", "event", copy.id, event_id=copy.id, details={"from": source.slug})
    return copy
