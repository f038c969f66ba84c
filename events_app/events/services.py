"""The events capability's rules: create, change, publish, cancel and duplicate events.

Services take plain values (a dict of model field names) and the acting staff user; the HTML
forms, the JSON API, the CLI and the demo seeder all come through here. Naive datetimes are
wall-clock times in the event's own zone; aware ones are taken as they are.
Sessions, hosts and questions live in `programme.py`, duplicating in `duplicate.py`, publishing,
cancelling and completing in `lifecycle.py` (all re-exported below); what an edit may not take
from attendees (their way of attending, the page address) in `promises.py`.
"""
from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc, null

from ..audit.services import record
from ..calendar import services as calendar_services
from ..database import utcnow, write_transaction
from ..enums import EventKind, EventStatus, Visibility
from ..errors import Conflict, ErrorCode, NotFound, ValidationError
from ..extensions import db
from ..templating import localized
from . import validation as v
from .labels import kind_label, status_label  # noqa: F401  (re-exported for templates and views)
from .models import MAX_CHECKIN_OPENS_MINUTES, Event
from .promises import broken_promises
from .queries import event_by_slug  # noqa: F401  (re-exported: views and the API call services.event_by_slug)
from .slugs import generate_slug, slug_conflict  # noqa: F401  (generate_slug is part of the API)
from .slugs import slug_taken as _slug_taken

log = logging.getLogger(__name__)

AUDIENCES = ("alumni", "employee", "guest")
# What create/update accept; anything else is ignored by the services (the API rejects it).
EVENT_FIELDS = (
    "title", "kind", "status", "visibility", "language", "description", "title_translation",
    "description_translation", "timezone", "starts_at", "ends_at", "venue_name", "venue_address",
    "venue_map_url", "venue_latitude", "venue_longitude", "online_url", "capacity", "online_capacity",
    "registration_opens_at", "registration_closes_at", "audience", "requires_approval", "session_choice_required",
    "slug",
    "reminder_hours_before", "online_reminder_minutes_before", "survey_enabled", "survey_closes_at",
    "checkin_opens_minutes",
)
# The defaults of a new event when a field is not given at all (an empty value means "none").
SCHEDULE_DEFAULTS = {"reminder_hours_before": 24, "online_reminder_minutes_before": 15}
MAX_DESCRIPTION = 20_000


# --- reading -------------------------------------------------------------------------------

def get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("No such event."))
    return event


def is_publicly_visible(event: Event) -> bool:
    """Drafts are for staff only, and so is a draft that was cancelled before anyone saw it;
    everything else is reachable by its link."""
    if event.status == EventStatus.CANCELLED:
        return event.published_at is not None
    return event.status != EventStatus.DRAFT


def event_values(event: Event) -> dict[str, Any]:
    """The event's current values in the shape create/update accept."""
    values = {name: getattr(event, name) for name in EVENT_FIELDS if name not in ("audience",)}
    values["audience"] = list(event.audience)
    return values


# --- validation ----------------------------------------------------------------------------

def clean_event(data: dict[str, Any], *, event: Event | None = None) -> dict[str, Any]:
    """Check every field at once; return model values or raise ValidationError(fields=...)."""
    errors: v.Errors = {}
    out: dict[str, Any] = {}
    out["title"] = v.text(errors, "title", data.get("title"), max_length=200, required=True)
    out["title_translation"] = v.text(errors, "title_translation", data.get("title_translation"), max_length=200)
    out["description"] = v.text(errors, "description", data.get("description"), max_length=MAX_DESCRIPTION)
    out["description_translation"] = v.text(errors, "description_translation",
                                            data.get("description_translation"), max_length=MAX_DESCRIPTION)
    out["kind"] = v.choice(errors, "kind", data.get("kind"), EventKind)
    out["visibility"] = v.choice(errors, "visibility", data.get("visibility") or Visibility.LISTED, Visibility)
    language = data.get("language") or "ja"
    if language not in ("ja", "en"):
        v.add(errors, "language", _("Choose Japanese or English."))
    out["language"] = language

    tz_name = str(data.get("timezone") or "").strip()
    if not tz_name:
        v.add(errors, "timezone", _("This field is required."))
    elif not v.is_time_zone(tz_name):
        v.add(errors, "timezone", _("Unknown time zone. Use an IANA name such as Asia/Tokyo or Europe/London."))
    out["timezone"] = tz_name
    starts = v.moment(errors, "starts_at", data.get("starts_at"), tz_name)
    ends = v.moment(errors, "ends_at", data.get("ends_at"), tz_name)
    # With an unknown zone these are naive wall-clock times: their order is still known.
    if v.comparable(starts, ends):
        if ends <= starts:
            v.add(errors, "ends_at", _("The end must be after the start."))
        elif v.longer_than(starts, ends, v.MAX_EVENT_LENGTH):
            v.add(errors, "ends_at", _("An event can last at most 14 days."))
    out["starts_at"], out["ends_at"] = starts, ends

    opens = v.moment(errors, "registration_opens_at", data.get("registration_opens_at"), tz_name, required=False)
    closes = v.moment(errors, "registration_closes_at", data.get("registration_closes_at"), tz_name, required=False)
    if v.comparable(opens, closes) and closes <= opens:
        v.add(errors, "registration_closes_at", _("Registration must close after it opens."))
    if v.comparable(closes, ends) and closes > ends:
        v.add(errors, "registration_closes_at", _("Registration must close before the event ends."))
    if v.comparable(opens, ends) and opens >= ends:
        v.add(errors, "registration_opens_at", _("Registration must open before the event ends."))
    out["registration_opens_at"], out["registration_closes_at"] = opens, closes

    out["venue_name"] = v.text(errors, "venue_name", data.get("venue_name"), max_length=200)
    out["venue_address"] = v.text(errors, "venue_address", data.get("venue_address"), max_length=400)
    out["venue_map_url"] = v.url(errors, "venue_map_url", data.get("venue_map_url"))
    out["venue_latitude"] = v.number(errors, "venue_latitude", data.get("venue_latitude"), minimum=-90, maximum=90)
    out["venue_longitude"] = v.number(errors, "venue_longitude", data.get("venue_longitude"), minimum=-180, maximum=180)
    if (out["venue_latitude"] is None) != (out["venue_longitude"] is None) and "venue_latitude" not in errors \
            and "venue_longitude" not in errors:
        v.add(errors, "venue_longitude", _("Give both latitude and longitude, or neither."))
    out["online_url"] = v.url(errors, "online_url", data.get("online_url"))

    out["capacity"] = v.count(errors, "capacity", data.get("capacity"))
    out["online_capacity"] = v.count(errors, "online_capacity", data.get("online_capacity"))
    if out["kind"] == EventKind.WEBINAR:
        _refuse_venue(errors, out)
    if event is not None:
        for field, taken in (("capacity", event.seats_taken), ("online_capacity", event.online_seats_taken)):
            if out[field] is not None and field not in errors and out[field] < taken:
                v.add(errors, field, _("%(n)d seats are already taken; the capacity cannot go below that.", n=taken))

    audience = data.get("audience")
    if audience is None:
        audience = ["alumni", "employee"]
    if isinstance(audience, str) or not isinstance(audience, (list, tuple, set)):
        v.add(errors, "audience", _("Give a list of: alumni, employee, guest."))
        audience = []
    unknown = [a for a in audience if a not in AUDIENCES]
    if unknown:
        v.add(errors, "audience", _("Unknown audience: %(names)s. Use alumni, employee or guest.",
                                    names=", ".join(map(str, unknown))))
    elif not audience and "audience" not in errors:
        v.add(errors, "audience", _("Choose at least one audience."))
    out["audience_alumni"] = "alumni" in audience
    out["audience_employees"] = "employee" in audience
    out["audience_guests"] = "guest" in audience
    approval = data.get("requires_approval")
    out["requires_approval"] = False if approval is None else v.boolean(errors, "requires_approval", approval)
    choice = data.get("session_choice_required")
    out["session_choice_required"] = False if choice is None else v.boolean(errors, "session_choice_required", choice)

    # Reminders (registration's send-reminders) and the follow-up survey (reports): empty = none.
    out["reminder_hours_before"] = v.count(
        errors, "reminder_hours_before", data.get("reminder_hours_before", SCHEDULE_DEFAULTS["reminder_hours_before"]),
        minimum=1, maximum=14 * 24)
    out["online_reminder_minutes_before"] = v.count(
        errors, "online_reminder_minutes_before",
        data.get("online_reminder_minutes_before", SCHEDULE_DEFAULTS["online_reminder_minutes_before"]),
        minimum=1, maximum=24 * 60)
    out["checkin_opens_minutes"] = _checkin_opens_minutes(errors, data.get("checkin_opens_minutes"))
    survey = data.get("survey_enabled")
    out["survey_enabled"] = True if survey is None else v.boolean(errors, "survey_enabled", survey)
    survey_closes = v.moment(errors, "survey_closes_at", data.get("survey_closes_at"), tz_name, required=False)
    if v.comparable(survey_closes, ends) and survey_closes <= ends:
        v.add(errors, "survey_closes_at", _("The survey must close after the event ends."))
    out["survey_closes_at"] = survey_closes
    slug_value = data.get("slug")
    out["slug"] = v.slug(errors, "slug", slug_value) if slug_value else ""
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)
    return out


def _checkin_opens_minutes(errors: v.Errors, value) -> int | None:
    """The door's check-in window, minutes before the start (empty: the door admits at any time)."""
    if isinstance(value, str) and not value.strip():  # a field that looks empty is empty
        return None
    found: v.Errors = {}
    minutes = v.count(found, "checkin_opens_minutes", value, minimum=0, maximum=MAX_CHECKIN_OPENS_MINUTES)
    if found:  # one message that says the whole rule, whatever was wrong
        v.add(errors, "checkin_opens_minutes", _("Enter whole minutes from 0 to %(max)d (a week), or leave it "
                                                 "empty for no limit.", max=MAX_CHECKIN_OPENS_MINUTES))
    return minutes


VENUE_FIELDS = ("venue_name", "venue_address", "venue_map_url", "venue_latitude", "venue_longitude")


def _refuse_venue(errors: v.Errors, out: dict[str, Any]) -> None:
    """A webinar is online only: a venue or venue seats would reach its page and mails anyway."""
    for field in VENUE_FIELDS:
        if out[field] not in (None, "") and field not in errors:
            v.add(errors, field, _("A webinar is online only: leave the venue empty, or make the event hybrid."))
    if out["capacity"] is not None and "capacity" not in errors:
        v.add(errors, "capacity", _("A webinar is online only: give its seats as online seats, "
                                    "or make the event hybrid."))


# --- writing -------------------------------------------------------------------------------

def _promote_waitlist(event_id: int) -> None:
    """Let the registration capability fill newly added seats, in the caller's transaction."""
    from ..registration.services import promote_waitlist  # registration imports events' models

    promote_waitlist(event_id)


def missing_for_publishing(kind: EventKind, venue_name: str, online_url: str) -> dict[str, list[str]]:
    """What a published event must have for its kind, by field: a venue where people come in
    person, a join URL where they come online (the mails and the join link promise one)."""
    missing: dict[str, list[str]] = {}
    if kind != EventKind.WEBINAR and not (venue_name or "").strip():
        missing["venue_name"] = [_("Give the venue before publishing: attendees come in person.")]
    if kind in (EventKind.WEBINAR, EventKind.HYBRID) and not (online_url or "").strip():
        missing["online_url"] = [_("Give the join URL before publishing: online attendees are sent it.")]
    return missing


def _refuse_unready(missing: dict[str, list[str]]) -> None:
    if missing:
        raise ValidationError(_("This event cannot be published yet: %(what)s",
                                what=" ".join(m[0] for m in missing.values())), fields=missing)


def clean_new_event(data: dict[str, Any]) -> dict[str, Any]:
    """Check a new event without saving it, every field at once; return model values with `status`."""
    status = data.get("status") or EventStatus.DRAFT
    errors: v.Errors = {}
    if status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        v.add(errors, "status", _("A new event is either draft or published."))
    values: dict[str, Any] = {}
    try:
        values = clean_event(data)
    except ValidationError as err:
        errors.update(err.fields)
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)
    if status == EventStatus.PUBLISHED:
        missing = missing_for_publishing(values["kind"], values["venue_name"], values["online_url"])
        if values["ends_at"] <= utcnow():  # the rule publish_event applies
            missing["ends_at"] = [_("This event has already ended; it cannot be published.")]
        _refuse_unready(missing)
    return {**values, "status": EventStatus(status)}


def create_event(data: dict[str, Any], *, actor) -> Event:
    """Create an event (draft unless `status` says published)."""
    values = clean_new_event(data)
    status = values.pop("status")
    slug = values.pop("slug")
    try:
        with write_transaction():
            if slug and _slug_taken(slug):
                raise slug_conflict(slug)
            slug = slug or generate_slug(values["title"], values["starts_at"],
                                         title_translation=values["title_translation"], tz_name=values["timezone"])
            # "No reminder" is NULL; the ORM would put the column default in place of a plain None.
            values.update({k: null() for k in SCHEDULE_DEFAULTS if values[k] is None})
            event = Event(slug=slug, status=EventStatus(status), **values)
            if event.status == EventStatus.PUBLISHED:
                event.published_at = utcnow()
            db.session.add(event)
            db.session.flush()
            record(actor, "event.created", "event", event.id, event_id=event.id, details={"slug": slug})
            if event.status == EventStatus.PUBLISHED:
                record(actor, "event.published", "event", event.id, event_id=event.id)
    except sa_exc.IntegrityError as err:
        # Two operators chose the same slug at once: the unique index decided.
        if "slug" not in str(err.orig).lower():
            raise
        raise slug_conflict(slug)
    return event


def clean_update(event: Event, changes: dict[str, Any]) -> dict[str, Any]:
    """Check an edit of `event` without saving it, every field at once; return model values."""
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("A cancelled event cannot be changed."), code=ErrorCode.INVALID_STATE)
    errors: v.Errors = {}
    if "status" in changes and changes["status"] != event.status:
        v.add(errors, "status", _("Change the status with publish or cancel, not by editing."))
    merged = event_values(event)
    merged.update({k: val for k, val in changes.items() if k in EVENT_FIELDS})
    values: dict[str, Any] = {}
    try:
        values = clean_event(merged, event=event)
    except ValidationError as err:
        errors.update(err.fields)
    for field, messages in broken_promises(event, kind=merged["kind"], slug=merged["slug"]).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)
    if event.status == EventStatus.PUBLISHED:  # a published event keeps what publishing required
        _refuse_unready(missing_for_publishing(values["kind"], values["venue_name"], values["online_url"]))
    return values


def update_event(event_id: int, changes: dict[str, Any], *, actor) -> Event:
    """Change some fields; calendars of attendees follow when a calendar-visible field changed."""
    event = get_event(event_id)
    values = clean_update(event, changes)
    new_slug = values.pop("slug") or event.slug
    old_capacity, old_online = event.capacity, event.online_capacity
    try:
        with write_transaction():
            event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
            if event is None:
                raise NotFound(_("No such event."))
            # Again under the lock: a registration may have come in since the check above.
            broken = broken_promises(event, kind=values["kind"], slug=new_slug)
            if broken:
                raise ValidationError(_("Some fields need attention."), fields=broken)
            if new_slug != event.slug and _slug_taken(new_slug, exclude_id=event.id):
                raise slug_conflict(new_slug)
            changed = {name for name, value in values.items() if getattr(event, name) != value}
            if new_slug != event.slug:
                changed.add("slug")
            shift = values["starts_at"] - event.starts_at
            if shift:
                # Moving an event moves its timetable with it.
                for session in event.sessions:
                    session.starts_at += shift
                    session.ends_at += shift
            outside = [s for s in event.sessions
                       if s.starts_at < values["starts_at"] or s.ends_at > values["ends_at"]]
            if outside:
                raise ValidationError(_("Some fields need attention."), fields={"ends_at": [
                    _("The session “%(title)s” would fall outside the event; change it first.",
                      title=localized(outside[0], "title"))]})
            calendar_changes = {name: (getattr(event, name), values[name])
                                for name in changed & calendar_services.CALENDAR_FIELDS}
            for name, value in values.items():
                setattr(event, name, value)
            event.slug = new_slug
            if calendar_changes:
                # The public per-event .ics carries this SEQUENCE; attendees' own invites
                # are bumped by the calendar capability, in this same transaction.
                event.calendar_sequence += 1
                calendar_services.queue_event_updates(event, calendar_changes, actor=actor)
            if changed:
                record(actor, "event.updated", "event", event.id, event_id=event.id,
                       details={"fields": sorted(changed)})
            if _grew(old_capacity, event.capacity) or _grew(old_online, event.online_capacity):
                db.session.flush()
                _promote_waitlist(event.id)  # new seats go to the waitlist in this transaction
    except sa_exc.IntegrityError as err:
        if "slug" not in str(err.orig).lower():
            raise
        raise slug_conflict(new_slug)
    return event


def _grew(before: int | None, after: int | None) -> bool:
    return before is not None and (after is None or after > before)


from .duplicate import duplicate_event  # noqa: E402,F401  (one import path for every events service)
from .lifecycle import cancel_event, complete_event, publish_event  # noqa: E402,F401
from .programme import (  # noqa: E402,F401
    add_host, add_question, add_session, move_host, move_question, move_session, remove_host,
    remove_question, remove_session, update_host, update_question, update_session,
)
