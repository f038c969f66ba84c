"""The public calendar documents: one published event's .ics and the feed of listed events."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from ..database import utcnow
from ..enums import EventKind, EventStatus, Visibility
from ..events.models import Event
from ..events.services import is_publicly_visible
from ..extensions import db
from . import documents
from .services import event_page_url, organizer, uid_domain


def is_public(event) -> bool:
    """An event has a public .ics exactly when it has a public page (drafts, and drafts cancelled
    before anyone saw them, have neither)."""
    return is_publicly_visible(event)


def public_event_document(event, language: str) -> bytes:
    # Made per request in the visitor's language (SUMMARY and DESCRIPTION already are, and the
    # answer varies on that language), so the organiser's name follows it too rather than the
    # event's own language: one document, one language.
    return documents.public_event(event, url=event_page_url(event), domain=uid_domain(), language=language,
                                  organizer=organizer(language))


def feed_events(kind: str | None = None, *, now: datetime | None = None) -> list:
    """Listed events a subscriber should see: published ones, and recent cancellations so the
    cancelled entry replaces the old one instead of silently disappearing."""
    now = now or utcnow()
    query = select(Event).where(
        Event.visibility == Visibility.LISTED,
        sa.or_(
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.COMPLETED)),
            sa.and_(Event.status == EventStatus.CANCELLED, Event.published_at.is_not(None)),
        ),
        Event.ends_at >= now - timedelta(days=365),
    ).order_by(Event.starts_at, Event.id)
    if kind:
        query = query.where(Event.kind == EventKind(kind))
    return list(db.session.scalars(query))


def feed_document(events: list, *, language: str, name: str, description: str) -> bytes:
    # No ORGANIZER here: a subscribed calendar lists events, it does not invite (with an ORGANIZER
    # some clients treat each entry as a meeting to answer). Should one be added, use
    # organizer(language) as the public .ics does: the feed, too, is made in the subscriber's language.
    return documents.event_feed(events, name=name, description=description, url_for_event=event_page_url,
                                domain=uid_domain(), language=language,
                                default_zone=current_app.config["DEFAULT_TIMEZONE"])
