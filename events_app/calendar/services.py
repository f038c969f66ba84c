"""Keeping attendees' calendars true when a registration or an event changes.

Versioning rule (RFC 5546): a calendar client replaces its copy of an invite only when the
new one carries the same UID and a higher SEQUENCE. So the SEQUENCE a mail carries is decided
when the mail is *queued*, in the transaction that causes it, and stored in the outbox row's
`payload["sequence"]`; the mail part built at send time uses that number. Bumps are atomic
`UPDATE ... SET calendar_sequence = calendar_sequence + 1` statements, never read-then-write.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import delete, insert, select, update

from ..audit.services import record
from ..database import utcnow
from ..enums import AttendanceMode, EventKind, EventStatus, OutboxStatus, RegistrationStatus
from ..extensions import db
from ..i18n import organizer_name
from ..mail.models import OutboxMessage
from ..people.models import Person
from ..registration.models import Registration
from . import documents
from .documents import CANCEL, REQUEST, InviteLinks, Organizer

# What calendars show: a change to any of these re-issues every confirmed attendee's invite.
CALENDAR_FIELDS = frozenset({
    "title", "title_translation", "starts_at", "ends_at", "timezone",
    "venue_name", "venue_address", "venue_latitude", "venue_longitude", "online_url",
})
TIME_FIELDS = frozenset({"starts_at", "ends_at", "timezone"})
VENUE_FIELDS = frozenset({"venue_name", "venue_address", "venue_latitude", "venue_longitude"})

# Mail templates that carry the attendee's invite, and those that withdraw it.
# A switch between in person and online re-issues the invite: its location and join details change.
REQUEST_TEMPLATES = frozenset({"registration_confirmed", "registration_approved", "registration_promoted",
                               "registration_attendance_switched", "event_updated"})
CANCEL_TEMPLATES = frozenset({"registration_cancelled", "registration_rejected", "event_cancelled"})

UPDATE_TEMPLATE = "event_updated"
CANCELLED_TEMPLATE = "event_cancelled"


# --- settings and links ---------------------------------------------------------------------

def organizer(language: str) -> Organizer:
    """The ORGANIZER of a calendar document written in `language` (CN in that language)."""
    return Organizer(name=organizer_name(language), email=current_app.config["ORGANIZER_EMAIL"])


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def uid_domain() -> str:
    return urlsplit(base_url()).hostname or "tsunagu.invalid"


def event_page_url(event) -> str:
    return f"{base_url()}/events/{event.slug}"


def event_ics_url(event) -> str:
    return f"{base_url()}/events/{event.slug}.ics"


def invite_links(registration, token: str | None = None) -> InviteLinks:
    from ..registration.links import registration_links

    links = registration_links(registration, token)
    join = links.get("join") or f"{links['manage']}/join"
    return InviteLinks(manage=links["manage"], event_page=event_page_url(registration.event),
                       join=join if registration.event.online_url.strip() else None)


# --- one registration's invite --------------------------------------------------------------

def had_invite(registration) -> bool:
    """Whether this registration was ever sent an invite (it was confirmed at some point)."""
    return registration.invite_sent_at is not None or registration.confirmed_at is not None


def current_method(registration) -> str | None:
    """Which version of the attendee's invite is true now: REQUEST, CANCEL, or none at all."""
    if registration.status == RegistrationStatus.CONFIRMED and registration.event.status != EventStatus.CANCELLED:
        return REQUEST
    if had_invite(registration) and (
        registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.CONFIRMED)
    ):
        return CANCEL
    return None


def invite_document(registration, *, method: str | None = None, sequence: int | None = None,
                    token: str | None = None) -> bytes:
    """The attendee's invite as .ics bytes: by default the version that is true now."""
    method = method or current_method(registration)
    if method is None:
        raise ValueError("this registration has no calendar invite")
    return documents.personal_invite(
        registration, method=method,
        sequence=registration.calendar_sequence if sequence is None else sequence,
        organizer=organizer(registration.language), links=invite_links(registration, token),
        language=registration.language,
    )


def _bump(registration) -> int:
    """Atomically raise one registration's SEQUENCE; returns the new value."""
    new = db.session.execute(
        update(Registration).where(Registration.id == registration.id)
        .values(calendar_sequence=Registration.calendar_sequence + 1)
        .returning(Registration.calendar_sequence),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    sa.orm.attributes.set_committed_value(registration, "calendar_sequence", new)
    return new


def invite_payload(registration) -> dict:
    """Call when queueing a mail that carries the invite (confirmed, approved, promoted):
    records the version it carries. The first invite is SEQUENCE 0; a re-issue raises it."""
    db.session.flush()
    sequence = registration.calendar_sequence if registration.invite_sent_at is None else _bump(registration)
    if registration.invite_sent_at is None:
        registration.invite_sent_at = utcnow()
    return {"sequence": sequence}


def cancellation_payload(registration) -> dict:
    """Call when queueing a cancellation or rejection mail: raises SEQUENCE for the
    METHOD:CANCEL it carries, or returns {} when the registration never had an invite."""
    if not had_invite(registration):
        return {}
    db.session.flush()
    _drop_unsent_updates(OutboxMessage.registration_id == registration.id)
    return {"sequence": _bump(registration), "method": CANCEL}


def _drop_unsent_updates(condition) -> int:
    """Update mails still waiting in the outbox are no longer true once a cancellation follows
    ("your registration stays as it is"): remove them in the same transaction. Rows a worker
    has already claimed are left alone (they go out without an invite, see mail_parts)."""
    return db.session.execute(
        delete(OutboxMessage).where(condition, OutboxMessage.template == UPDATE_TEMPLATE,
                                    OutboxMessage.status == OutboxStatus.QUEUED),
        execution_options={"synchronize_session": False},
    ).rowcount


def invite_changed(registration) -> int:
    """The attendee's own invite changed without a mail (e.g. they picked other sessions): raise
    SEQUENCE so the invite they download next replaces the entry already in their calendar."""
    if registration.status != RegistrationStatus.CONFIRMED or not had_invite(registration):
        return registration.calendar_sequence
    db.session.flush()
    return _bump(registration)


def first_mail_invite(template: str, status: RegistrationStatus) -> tuple[dict, datetime | None]:
    """`payload_for_mail` for a registration about to be written with its first mail, without an
    object: the mail's calendar part and the `invite_sent_at` to store with the row. A confirmed
    registration's first invite is SEQUENCE 0 (its `calendar_sequence` stays 0)."""
    if template in REQUEST_TEMPLATES and status == RegistrationStatus.CONFIRMED:
        return {"sequence": 0}, utcnow()
    return {}, None


def payload_for_mail(registration, template: str) -> dict:
    """What a registration mail's payload needs for its calendar part; the registration
    service merges it in when it queues `template` (empty for mails without an invite)."""
    if template in REQUEST_TEMPLATES and registration.status == RegistrationStatus.CONFIRMED:
        return invite_payload(registration)
    if template in CANCEL_TEMPLATES:
        return cancellation_payload(registration)
    return {}


# --- an event changed -----------------------------------------------------------------------

def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        return value.value
    return value


def _changes(event, changed_fields) -> dict[str, list]:
    """{field: [old, new]} for calendar-visible fields whose value really changed.

    Old values come from the mapping the caller passed ({field: (old, new)}), or else from the
    ORM's attribute history (available until the caller flushes); None when unknown.
    """
    state = sa_inspect(event)
    changes: dict[str, list] = {}
    for name in sorted(set(changed_fields) & CALENDAR_FIELDS):
        new = getattr(event, name)
        if isinstance(changed_fields, Mapping):
            old = changed_fields[name][0]
        else:
            history = state.attrs[name].history
            old = history.deleted[0] if history.deleted else None
        if old is not None and old == new:
            continue
        changes[name] = [_json_value(old), _json_value(new)]
    return changes


def _online_condition(event):
    if event.kind == EventKind.WEBINAR:
        return sa.true()
    if event.kind == EventKind.HYBRID:
        return Registration.attendance_mode == AttendanceMode.ONLINE
    return sa.false()


def _is_online(event, mode) -> bool:
    return event.kind == EventKind.WEBINAR or (event.kind == EventKind.HYBRID and mode == AttendanceMode.ONLINE)


def _field_condition(event, name: str):
    """SQL: which registrations' invites show this field."""
    if name == "title":
        return Registration.language == event.language if event.title_translation else sa.true()
    if name == "title_translation":
        return Registration.language != event.language
    if name in VENUE_FIELDS:
        return sa.not_(_online_condition(event))
    if name == "online_url":
        return _online_condition(event)
    return sa.true()


def _sees(event, name: str, *, language: str, online: bool) -> bool:
    """Python twin of `_field_condition`, to tell each attendee only what their invite shows."""
    if name == "title":
        return not event.title_translation or language == event.language
    if name == "title_translation":
        return language != event.language
    if name in VENUE_FIELDS:
        return not online
    if name == "online_url":
        return online
    return True


def _schedule(event, changes: dict[str, list]) -> dict | None:
    if not TIME_FIELDS & changes.keys():
        return None
    now = [_json_value(event.starts_at), _json_value(event.ends_at), event.timezone]
    before = [changes.get(f, [None, v])[0] or v for f, v in zip(("starts_at", "ends_at", "timezone"), now)]
    return {"old": before, "new": now}


def _expire_loaded_registrations(event_id: int) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Registration) and obj.event_id == event_id:
            db.session.expire(obj, ["calendar_sequence"])


def _emails_for(registration_ids: Iterable[int], event_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Registration.id, Person.email).join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event_id)
    ).all()
    wanted = set(registration_ids)
    return {rid: email for rid, email in rows if rid in wanted}


def _outbox_rows(template: str, items: list[tuple[int, str, str, dict, str]], event_id: int) -> list[dict]:
    now = utcnow()
    return [
        {"to_address": to, "template": template, "language": language, "payload": payload,
         "registration_id": rid, "event_id": event_id, "dedupe_key": key, "status": OutboxStatus.QUEUED,
         "attempts": 0, "next_attempt_at": now, "last_error": "", "message_id": "", "subject": "",
         "created_at": now}
        for rid, to, language, payload, key in items
    ]


def queue_event_updates(event, changed_fields: set[str] | Mapping[str, tuple], *, actor=None) -> int:
    """Within the caller's transaction: bump SEQUENCE and queue an update mail per confirmed
    attendee when a calendar-visible field changed. Returns how many were queued.

    Set-based: one UPDATE ... RETURNING raises every affected SEQUENCE, one bulk INSERT writes
    the outbox rows, so a 2,000-attendee event returns at once; the mail worker sends them.
    Each attendee is told only what their own invite shows (venue to those who come in person,
    the online URL to online attendees, a title in the language they read).
    """
    changes = _changes(event, changed_fields)
    if not changes:
        return 0
    if event.status == EventStatus.CANCELLED:
        return 0
    db.session.flush()
    audience = sa.or_(*[_field_condition(event, name) for name in changes])
    bumped = db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED, audience)
        .values(calendar_sequence=Registration.calendar_sequence + 1)
        .returning(Registration.id, Registration.calendar_sequence, Registration.language,
                   Registration.attendance_mode),
        execution_options={"synchronize_session": False},
    ).all()
    _expire_loaded_registrations(event.id)
    if not bumped:
        record(actor, "calendar.event_changed", "event", event.id, event_id=event.id,
               details={"fields": sorted(changes), "updates_queued": 0})
        return 0
    emails = _emails_for((row[0] for row in bumped), event.id)
    schedule = _schedule(event, changes)
    items = []
    for rid, sequence, language, mode in bumped:
        online = _is_online(event, AttendanceMode(mode))
        mine = {k: v for k, v in changes.items() if _sees(event, k, language=language, online=online)}
        payload = {"changes": mine, "sequence": sequence}
        if schedule and TIME_FIELDS & mine.keys():
            payload["schedule"] = schedule
        items.append((rid, emails[rid], language, payload, f"event-updated:{rid}:{sequence}"))
    db.session.execute(insert(OutboxMessage), _outbox_rows(UPDATE_TEMPLATE, items, event.id))
    record(actor, "calendar.event_changed", "event", event.id, event_id=event.id,
           details={"fields": sorted(changes), "updates_queued": len(items)})
    return len(items)


def queue_event_cancellation(event, *, actor=None) -> int:
    """Within the caller's transaction: queue METHOD:CANCEL to every attendee with an invite.

    Confirmed attendees get the cancellation with a raised SEQUENCE and the .ics that removes
    the entry; pending and waitlisted people get the same mail without an .ics (they never had
    one). Set-based like `queue_event_updates`; returns how many mails were queued.
    """
    db.session.flush()
    _drop_unsent_updates(OutboxMessage.event_id == event.id)
    bumped = db.session.execute(
        update(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .values(calendar_sequence=Registration.calendar_sequence + 1)
        .returning(Registration.id, Registration.calendar_sequence, Registration.language),
        execution_options={"synchronize_session": False},
    ).all()
    _expire_loaded_registrations(event.id)
    waiting = db.session.execute(
        select(Registration.id, Registration.language).where(
            Registration.event_id == event.id,
            Registration.status.in_((RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)),
        )
    ).all()
    emails = _emails_for([r[0] for r in bumped] + [r[0] for r in waiting], event.id)
    items = [(rid, emails[rid], language, {"sequence": sequence, "method": CANCEL}, f"event-cancelled:{rid}")
             for rid, sequence, language in bumped]
    items += [(rid, emails[rid], language, {}, f"event-cancelled:{rid}") for rid, language in waiting]
    if items:
        # A retried cancellation must not mail twice: skip registrations already told.
        keys = [item[4] for item in items]
        done = set(db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))
        items = [item for item in items if item[4] not in done]
    if items:
        db.session.execute(insert(OutboxMessage), _outbox_rows(CANCELLED_TEMPLATE, items, event.id))
    record(actor, "calendar.event_cancelled", "event", event.id, event_id=event.id,
           details={"cancellations_queued": len(items)})
    return len(items)
