"""The feedback survey: invitations after the event, and one editable response per attendee."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError

from ..database import utcnow, write_transaction
from ..enums import EventStatus, RegistrationStatus
from ..errors import DomainError, ErrorCode, ValidationError
from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from ..mail.services import enqueue
from ..people.models import Person
from ..registration.models import Registration
from .models import EventNote, SurveyResponse

DEFAULT_OPEN_DAYS = 14
TEXT_LIMIT = 2000
# Events that ended longer ago than this are not surveyed when send-followups first runs.
BACKFILL_DAYS = 30


def survey_closes_at(event: Event) -> datetime:
    return event.survey_closes_at or event.ends_at + timedelta(days=DEFAULT_OPEN_DAYS)


def invitation_due_at(event: Event) -> datetime:
    """The morning after the event (SURVEY_SEND_HOUR, default 9:00, in the event's zone).

    Late enough that the evening is over and nobody gets a survey on the train home; early
    enough that the event is fresh. Never sooner than an hour after the end.
    """
    hour = int(current_app.config.get("SURVEY_SEND_HOUR", 9))
    local_end = event.ends_at.astimezone(event.tz)
    morning = (local_end + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return max(morning, event.ends_at + timedelta(hours=1))


def attended(registration: Registration) -> bool:
    return registration.checked_in_at is not None or registration.online_joined_at is not None


def send_followups(*, now: datetime | None = None) -> int:
    """Queue a survey invitation for every attendee of a recently ended event who has none yet.

    Safe to run from cron every few minutes and concurrently: a unique `dedupe_key`
    ("survey:<registration id>") on the outbox row makes a second invitation impossible;
    a collision with a concurrent run is caught per row and skipped.
    """
    now = now or utcnow()
    queued = 0
    candidates = db.session.scalars(
        select(Event).where(
            Event.survey_enabled.is_(True), Event.status != EventStatus.CANCELLED,
            Event.status != EventStatus.DRAFT,
            Event.ends_at <= now, Event.ends_at >= now - timedelta(days=BACKFILL_DAYS),
        ).order_by(Event.ends_at)
    ).all()
    for event in candidates:
        if invitation_due_at(event) > now or survey_closes_at(event) <= now:
            continue
        already = exists().where(OutboxMessage.dedupe_key == "survey:" + Registration.id.cast(db.String))
        registrations = db.session.execute(
            select(Registration, Person)
            .join(Person, Person.id == Registration.person_id)
            .where(Registration.event_id == event.id,
                   Registration.status.not_in([RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED]),
                   or_(Registration.checked_in_at.is_not(None), Registration.online_joined_at.is_not(None)),
                   ~already,
                   ~exists().where(SurveyResponse.registration_id == Registration.id))
            .order_by(Registration.id)
        ).all()
        if not registrations:
            continue
        with write_transaction() as session:
            for registration, person in registrations:
                try:
                    with session.begin_nested():
                        enqueue("survey_invitation", to=person.email, language=registration.language or person.language,
                                registration=registration, event=event,
                                payload={"closes_at": survey_closes_at(event).isoformat()},
                                dedupe_key=f"survey:{registration.id}")
                    queued += 1
                except IntegrityError:  # a concurrent run queued it first
                    continue
    return queued


# --- the attendee's response -------------------------------------------------------------

class SurveyState(enum.StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"          # the event has not ended
    CLOSED = "closed"
    NOT_ATTENDED = "not_attended"
    DISABLED = "disabled"


@dataclass
class SurveyContext:
    registration: Registration
    event: Event
    state: SurveyState
    response: SurveyResponse | None
    closes_at: datetime


def survey_context(registration: Registration, *, now: datetime | None = None) -> SurveyContext:
    now = now or utcnow()
    event = registration.event
    response = db.session.scalar(select(SurveyResponse).where(SurveyResponse.registration_id == registration.id))
    closes = survey_closes_at(event)
    if not event.survey_enabled or event.status == EventStatus.CANCELLED:
        state = SurveyState.DISABLED
    elif event.ends_at > now:
        state = SurveyState.NOT_YET
    elif not attended(registration) or registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        state = SurveyState.NOT_ATTENDED
    elif closes <= now:
        state = SurveyState.CLOSED
    else:
        state = SurveyState.OPEN
    return SurveyContext(registration, event, state, response, closes)


def state_message(context: SurveyContext) -> str:
    return {
        SurveyState.NOT_YET: _("The survey opens when the event is over."),
        SurveyState.CLOSED: _("The survey is closed. Thank you for your interest."),
        SurveyState.NOT_ATTENDED: _("This survey is for people who attended the event. We hope to see you next time."),
        SurveyState.DISABLED: _("There is no survey for this event."),
        SurveyState.OPEN: "",
    }[context.state]


def clean_answers(raw: dict) -> dict:
    """Validate the form's values; raise ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    score_raw = raw.get("score")
    score = None
    if score_raw in (None, ""):
        errors["score"] = [_("Choose a score from 0 to 10.")]
    else:
        try:
            score = int(score_raw)
        except (TypeError, ValueError):
            score = -1
        if not 0 <= score <= 10:
            errors["score"] = [_("Choose a score from 0 to 10.")]
    out = {"score": score, "would_host": bool(raw.get("would_host"))}
    for name in ("most_useful", "comments", "introduction_requests"):
        value = (raw.get(name) or "").strip()
        if len(value) > TEXT_LIMIT:
            errors[name] = [_("Please keep this under %(limit)d characters.", limit=TEXT_LIMIT)]
        out[name] = value
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    return out


def save_response(registration: Registration, raw: dict, *, now: datetime | None = None) -> tuple[SurveyResponse, bool]:
    """Create or update the attendee's one response; returns (response, created)."""
    context = survey_context(registration, now=now)
    if context.state != SurveyState.OPEN:
        raise DomainError(state_message(context), code=ErrorCode.INVALID_STATE)
    values = clean_answers(raw)
    for attempt in range(2):
        try:
            with write_transaction() as session:
                response = session.scalar(select(SurveyResponse).where(SurveyResponse.registration_id == registration.id))
                created = response is None
                if created:
                    response = SurveyResponse(registration_id=registration.id, event_id=registration.event_id)
                    session.add(response)
                for key, value in values.items():
                    setattr(response, key, value)
                response.updated_at = utcnow()
            return response, created
        except IntegrityError:  # a double submit created it concurrently: update that one instead
            if attempt:
                raise
    raise AssertionError("unreachable")


# --- operators' notes ---------------------------------------------------------------------

def add_note(event: Event, actor, body: str, *, highlight: bool = False) -> EventNote:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write the note first."), fields={"body": [_("Write the note first.")]})
    if len(body) > TEXT_LIMIT:
        raise ValidationError(_("Please keep this under %(limit)d characters.", limit=TEXT_LIMIT),
                              fields={"body": [_("Please keep this under %(limit)d characters.", limit=TEXT_LIMIT)]})
    with write_transaction() as session:
        note = EventNote(event_id=event.id, author_id=getattr(actor, "id", None), body=body, highlight=highlight)
        session.add(note)
    return note


def delete_note(event: Event, note_id: int) -> None:
    with write_transaction() as session:
        note = session.scalar(select(EventNote).where(and_(EventNote.id == note_id, EventNote.event_id == event.id)))
        if note is None:
            from ..errors import NotFound
            raise NotFound(_("That note does not exist any more."))
        session.delete(note)
