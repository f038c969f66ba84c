"""Events as JSON: the public shape, and the staff shape that adds private fields."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale

from ..database import utcnow
from ..enums import EventStatus, QuestionKind
from .models import Event, EventSession, Host, Question


def iso(value: datetime | None, tz) -> str | None:
    """ISO 8601 in the event's zone, with its offset (what a calendar user expects to read)."""
    return value.astimezone(tz).isoformat() if value else None


def registration_state(event: Event, now: datetime | None = None) -> str:
    """One word for the register button: open, not_open_yet, closed, cancelled, ended, draft."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status == EventStatus.DRAFT:
        return "draft"
    if event.status == EventStatus.COMPLETED or event.ends_at <= now:
        return "ended"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    return "open"


def waitlist_open(event: Event) -> bool:
    """Every mode the event offers is full, so new registrations wait for a seat."""
    modes = []
    if event.has_in_person:
        modes.append(event.seats_left)
    if event.has_online:
        modes.append(event.online_seats_left)
    return bool(modes) and all(left == 0 for left in modes)


def public_urls(event: Event) -> dict[str, str]:
    base = current_app.config["BASE_URL"].rstrip("/")
    return {"url": f"{base}/events/{event.slug}", "register_url": f"{base}/events/{event.slug}/register",
            "ics_url": f"{base}/events/{event.slug}.ics"}


def host_json(host: Host) -> dict[str, Any]:
    return {"id": host.id, "role": host.role, "name": host.name, "name_kana": host.name_kana,
            "current_company": host.current_company, "current_title": host.current_title,
            "current_title_translation": host.current_title_translation,
            "former_department": host.former_department, "joined_year": host.joined_year,
            "left_year": host.left_year, "profile": host.profile, "profile_translation": host.profile_translation}


def session_json(session: EventSession, tz, *, staff: bool = False) -> dict[str, Any]:
    out = {"id": session.id, "kind": session.kind.value, "title": session.title,
           "title_translation": session.title_translation, "description": session.description,
           "starts_at": iso(session.starts_at, tz), "ends_at": iso(session.ends_at, tz), "room": session.room,
           "capacity": session.capacity, "seats_left": session.seats_left,
           "host": {"id": session.host.id, "name": session.host.name} if session.host else None}
    if staff:
        out["online_url"] = session.online_url
        out["seats_taken"] = session.seats_taken
    return out


def question_json(question: Question, language: str) -> dict[str, Any]:
    """What a client needs to build `answers`: a choice's `value` is what it sends (answers are
    stored as the original choice), its `label` what a reader of `language` is shown."""
    from ..registration.validation import MAX_TEXT_ANSWER, choice_values  # registration imports events' models

    other_language = language != question.event.language
    values = choice_values(question)
    translated = list(question.choices_translation or [])
    labels = translated if other_language and len(translated) == len(values) else values
    return {"id": question.id, "kind": question.kind.value,
            "label": question.label_translation if other_language and question.label_translation else question.label,
            "required": question.required,
            "choices": [{"value": value, "label": label} for value, label in zip(values, labels)],
            "max_length": MAX_TEXT_ANSWER if question.kind == QuestionKind.TEXT else None}


def event_json(event: Event, *, staff: bool = False, detail: bool = True) -> dict[str, Any]:
    """Public fields only unless `staff`; the online join URL is never in the public shape."""
    tz = event.tz
    other = "en" if event.language == "ja" else "ja"
    out: dict[str, Any] = {
        "slug": event.slug, "kind": event.kind.value, "status": event.status.value,
        "visibility": event.visibility.value, "language": event.language,
        "title": event.title, "description": event.description,
        "translations": ({other: {"title": event.title_translation, "description": event.description_translation}}
                         if event.title_translation or event.description_translation else {}),
        "timezone": event.timezone, "starts_at": iso(event.starts_at, tz), "ends_at": iso(event.ends_at, tz),
        "venue": {"name": event.venue_name, "address": event.venue_address, "map_url": event.venue_map_url,
                  "latitude": event.venue_latitude, "longitude": event.venue_longitude},
        "online": event.has_online,
        "capacity": event.capacity, "online_capacity": event.online_capacity,
        "seats_left": event.seats_left, "online_seats_left": event.online_seats_left,
        "waitlist_open": waitlist_open(event),
        "registration_opens_at": iso(event.registration_opens_at, tz),
        "registration_closes_at": iso(event.registration_closes_at, tz),
        "registration": registration_state(event),
        "audience": event.audience, "requires_approval": event.requires_approval,
        "session_choice_required": event.session_choice_required,
        **public_urls(event),
    }
    if event.status == EventStatus.CANCELLED:
        out["cancellation_reason"] = event.cancellation_reason
    if detail:
        out["sessions"] = [session_json(s, tz, staff=staff) for s in event.sessions]
        out["hosts"] = [host_json(h) for h in event.hosts]
        # In the request's language (?lang, cookie, Accept-Language), as the pages choose it.
        language = str(get_locale() or event.language)
        out["questions"] = [question_json(q, language) for q in event.questions]
    if staff:
        out.update({
            "id": event.id, "online_url": event.online_url, "seats_taken": event.seats_taken,
            "online_seats_taken": event.online_seats_taken, "calendar_sequence": event.calendar_sequence,
            "created_at": iso(event.created_at, tz), "updated_at": iso(event.updated_at, tz),
            "published_at": iso(event.published_at, tz), "cancelled_at": iso(event.cancelled_at, tz),
            "cancellation_reason": event.cancellation_reason,
            "reminder_hours_before": event.reminder_hours_before,
            "online_reminder_minutes_before": event.online_reminder_minutes_before,
            "survey_enabled": event.survey_enabled, "survey_closes_at": iso(event.survey_closes_at, tz),
            "checkin_opens_minutes": event.checkin_opens_minutes,
        })
    return out
