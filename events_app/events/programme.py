"""An event's programme: timetable and breakout sessions, hosts and speakers, custom questions."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..database import write_transaction
from ..enums import ACTIVE_REGISTRATION_STATUSES, EventStatus, QuestionKind, SessionKind
from ..errors import Conflict, ErrorCode, NotFound, ValidationError
from ..extensions import db
from . import validation as v
from .models import Event, EventSession, Host, Question

SESSION_FIELDS = ("kind", "title", "title_translation", "description", "host_id", "starts_at", "ends_at",
                  "room", "online_url", "capacity")
HOST_FIELDS = ("role", "name", "name_kana", "current_company", "current_title", "current_title_translation",
               "former_department", "joined_year", "left_year", "profile", "profile_translation")
QUESTION_FIELDS = ("kind", "label", "label_translation", "choices", "choices_translation", "required")
HOST_ROLES = ("host", "speaker", "moderator")
MAX_CHOICES = 30


def _fail(errors: v.Errors) -> None:
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)


def _editable_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("No such event."))
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("A cancelled event cannot be changed."), code=ErrorCode.INVALID_STATE)
    return event


def _move(items: list, item, offset: int) -> None:
    """Swap `item` with its neighbour in `items` (already in display order); renumber all."""
    index = items.index(item)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position


# --- sessions ------------------------------------------------------------------------------

def clean_session(event: Event, data: dict[str, Any], *, session: EventSession | None = None) -> dict[str, Any]:
    errors: v.Errors = {}
    out: dict[str, Any] = {}
    out["kind"] = v.choice(errors, "kind", data.get("kind") or SessionKind.BREAKOUT, SessionKind)
    out["title"] = v.text(errors, "title", data.get("title"), max_length=200, required=True)
    out["title_translation"] = v.text(errors, "title_translation", data.get("title_translation"), max_length=200)
    out["description"] = v.text(errors, "description", data.get("description"), max_length=5000)
    out["room"] = v.text(errors, "room", data.get("room"), max_length=200)
    out["online_url"] = v.url(errors, "online_url", data.get("online_url"))
    out["capacity"] = v.count(errors, "capacity", data.get("capacity"))
    if session is not None and out["capacity"] is not None and "capacity" not in errors \
            and out["capacity"] < session.seats_taken:
        v.add(errors, "capacity", _("%(n)d seats are already taken; the capacity cannot go below that.",
                                    n=session.seats_taken))
    starts = v.moment(errors, "starts_at", data.get("starts_at"), event.timezone)
    ends = v.moment(errors, "ends_at", data.get("ends_at"), event.timezone)
    if starts and ends:
        if ends <= starts:
            v.add(errors, "ends_at", _("The end must be after the start."))
        if starts < event.starts_at or starts >= event.ends_at:
            v.add(errors, "starts_at", _("A session must start within the event (%(start)s–%(end)s, %(zone)s).",
                                         **_window(event)))
        if ends > event.ends_at:
            v.add(errors, "ends_at", _("A session must end by the end of the event (%(end)s, %(zone)s).",
                                       **_window(event)))
    out["starts_at"], out["ends_at"] = starts, ends
    host_id = data.get("host_id")
    if host_id in ("", None, 0):
        out["host_id"] = None
    else:
        try:
            host_id = int(host_id)
        except (TypeError, ValueError):
            host_id = -1
        if not any(h.id == host_id for h in event.hosts):
            v.add(errors, "host_id", _("Choose one of this event's hosts."))
        out["host_id"] = host_id
    _fail(errors)
    return out


def _window(event: Event) -> dict[str, str]:
    return {"start": event.local_starts_at.strftime("%Y-%m-%d %H:%M"),
            "end": event.local_ends_at.strftime("%Y-%m-%d %H:%M"), "zone": event.timezone}


def get_session(event_id: int, session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.event_id != event_id:
        raise NotFound(_("No such session."))
    return session


def add_session(event_id: int, data: dict[str, Any], *, actor) -> EventSession:
    event = _editable_event(event_id)
    values = clean_session(event, data)
    with write_transaction():
        event = _editable_event(event_id)
        position = len([s for s in event.sessions if s.starts_at == values["starts_at"]])
        session = EventSession(event_id=event.id, position=position, **values)
        db.session.add(session)
    return session


def clean_session_update(event_id: int, session_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Check a session's changes without saving them; return its new values."""
    event = _editable_event(event_id)
    session = get_session(event_id, session_id)
    merged = {name: getattr(session, name) for name in SESSION_FIELDS}
    merged.update({k: val for k, val in changes.items() if k in SESSION_FIELDS})
    return clean_session(event, merged, session=session)


def update_session(event_id: int, session_id: int, changes: dict[str, Any], *, actor) -> EventSession:
    values = clean_session_update(event_id, session_id, changes)
    with write_transaction():
        session = get_session(event_id, session_id)
        for name, value in values.items():
            setattr(session, name, value)
    return session


def remove_session(event_id: int, session_id: int, *, actor) -> None:
    from ..registration.models import RegistrationSession

    _editable_event(event_id)
    with write_transaction():
        session = get_session(event_id, session_id)
        chosen = db.session.scalar(select(func.count()).select_from(RegistrationSession).where(
            RegistrationSession.session_id == session.id,
            RegistrationSession.status.in_(ACTIVE_REGISTRATION_STATUSES)))
        if chosen:
            raise Conflict(_("%(n)d attendees chose this session; move them before removing it.", n=chosen),
                           code=ErrorCode.INVALID_STATE)
        db.session.delete(session)


def move_session(event_id: int, session_id: int, offset: int, *, actor) -> None:
    """Reorder breakout tables that start at the same time."""
    with write_transaction():
        session = get_session(event_id, session_id)
        siblings = [s for s in session.event.sessions if s.starts_at == session.starts_at]
        _move(siblings, session, offset)


# --- hosts ---------------------------------------------------------------------------------

def clean_host(data: dict[str, Any]) -> dict[str, Any]:
    errors: v.Errors = {}
    out: dict[str, Any] = {}
    role = data.get("role") or "host"
    if role not in HOST_ROLES:
        v.add(errors, "role", _("Choose host, speaker or moderator."))
    out["role"] = role
    out["name"] = v.text(errors, "name", data.get("name"), max_length=200, required=True)
    out["name_kana"] = v.text(errors, "name_kana", data.get("name_kana"), max_length=200)
    out["current_company"] = v.text(errors, "current_company", data.get("current_company"), max_length=200)
    out["current_title"] = v.text(errors, "current_title", data.get("current_title"), max_length=200)
    out["current_title_translation"] = v.text(errors, "current_title_translation",
                                              data.get("current_title_translation"), max_length=200)
    out["former_department"] = v.text(errors, "former_department", data.get("former_department"), max_length=200)
    out["profile"] = v.text(errors, "profile", data.get("profile"), max_length=2000)
    out["profile_translation"] = v.text(errors, "profile_translation", data.get("profile_translation"),
                                        max_length=2000)
    out["joined_year"] = v.count(errors, "joined_year", data.get("joined_year"), minimum=1900, maximum=2100)
    out["left_year"] = v.count(errors, "left_year", data.get("left_year"), minimum=1900, maximum=2100)
    if out["joined_year"] and out["left_year"] and not errors.get("left_year") and out["left_year"] < out["joined_year"]:
        v.add(errors, "left_year", _("The year of leaving cannot be before the year of joining."))
    _fail(errors)
    return out


def get_host(event_id: int, host_id: int) -> Host:
    host = db.session.get(Host, host_id)
    if host is None or host.event_id != event_id:
        raise NotFound(_("No such host."))
    return host


def add_host(event_id: int, data: dict[str, Any], *, actor) -> Host:
    _editable_event(event_id)
    values = clean_host(data)
    with write_transaction():
        event = _editable_event(event_id)
        host = Host(event_id=event.id, position=len(event.hosts), **values)
        db.session.add(host)
    return host


def clean_host_update(event_id: int, host_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Check a host's changes without saving them; return the host's new values."""
    _editable_event(event_id)
    host = get_host(event_id, host_id)
    merged = {name: getattr(host, name) for name in HOST_FIELDS}
    merged.update({k: val for k, val in changes.items() if k in HOST_FIELDS})
    return clean_host(merged)


def update_host(event_id: int, host_id: int, changes: dict[str, Any], *, actor) -> Host:
    values = clean_host_update(event_id, host_id, changes)
    with write_transaction():
        host = get_host(event_id, host_id)
        for name, value in values.items():
            setattr(host, name, value)
    return host


def remove_host(event_id: int, host_id: int, *, actor) -> None:
    """Remove a host; the sessions they hosted keep running without a named host."""
    _editable_event(event_id)
    with write_transaction():
        host = get_host(event_id, host_id)
        for session in host.event.sessions:
            if session.host_id == host.id:
                session.host_id = None
        db.session.delete(host)


def move_host(event_id: int, host_id: int, offset: int, *, actor) -> None:
    with write_transaction():
        host = get_host(event_id, host_id)
        _move(list(host.event.hosts), host, offset)


# --- questions -----------------------------------------------------------------------------

def clean_question(data: dict[str, Any]) -> dict[str, Any]:
    errors: v.Errors = {}
    out: dict[str, Any] = {}
    out["kind"] = v.choice(errors, "kind", data.get("kind"), QuestionKind)
    out["label"] = v.text(errors, "label", data.get("label"), max_length=300, required=True)
    out["label_translation"] = v.text(errors, "label_translation", data.get("label_translation"), max_length=300)
    required = data.get("required")
    out["required"] = False if required is None else v.boolean(errors, "required", required)
    raw = data.get("choices") or []
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        v.add(errors, "choices", _("Give the choices as a list."))
        raw = []
    choices = [str(c).strip() for c in raw if str(c).strip()]
    if out["kind"] in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if len(choices) < 2:
            v.add(errors, "choices", _("Give at least two choices, one per line."))
        elif len(choices) > MAX_CHOICES:
            v.add(errors, "choices", _("Give at most %(max)d choices.", max=MAX_CHOICES))
        elif len(set(choices)) != len(choices):
            v.add(errors, "choices", _("Each choice must be different."))
        elif any(len(c) > 200 for c in choices):
            v.add(errors, "choices", _("Keep each choice under 200 characters."))
    elif choices:
        v.add(errors, "choices", _("Only choice questions have choices; leave this empty."))
        choices = []
    out["choices"] = choices
    raw = data.get("choices_translation") or []
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        v.add(errors, "choices_translation", _("Give the choices as a list."))
        raw = []
    translated = [str(c).strip() for c in raw if str(c).strip()]
    if translated and len(translated) != len(choices):
        v.add(errors, "choices_translation", _("Give one translation per choice, in the same order (%(n)d lines).",
                                               n=len(choices)))
    elif any(len(c) > 200 for c in translated):
        v.add(errors, "choices_translation", _("Keep each choice under 200 characters."))
    out["choices_translation"] = translated
    _fail(errors)
    return out


def get_question(event_id: int, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event_id:
        raise NotFound(_("No such question."))
    return question


def _answer_count(question_id: int) -> int:
    from ..registration.models import Answer

    return db.session.scalar(select(func.count()).select_from(Answer).where(Answer.question_id == question_id)) or 0


def add_question(event_id: int, data: dict[str, Any], *, actor) -> Question:
    _editable_event(event_id)
    values = clean_question(data)
    with write_transaction():
        event = _editable_event(event_id)
        question = Question(event_id=event.id, position=len(event.questions), **values)
        db.session.add(question)
    return question


def update_question(event_id: int, question_id: int, changes: dict[str, Any], *, actor) -> Question:
    _editable_event(event_id)
    question = get_question(event_id, question_id)
    merged = {name: getattr(question, name) for name in QUESTION_FIELDS}
    merged.update({k: val for k, val in changes.items() if k in QUESTION_FIELDS})
    values = clean_question(merged)
    answered = _answer_count(question.id)
    if answered and (values["kind"] != question.kind or
                     not set(question.choices or []).issubset(values["choices"] or question.choices or [])):
        raise ValidationError(_("Some fields need attention."), fields={"kind": [
            _("%(n)d people have answered already: the kind cannot change and no choice can be removed.", n=answered)]})
    with write_transaction():
        question = get_question(event_id, question_id)
        for name, value in values.items():
            setattr(question, name, value)
    return question


def remove_question(event_id: int, question_id: int, *, actor) -> None:
    _editable_event(event_id)
    with write_transaction():
        question = get_question(event_id, question_id)
        answered = _answer_count(question.id)
        if answered:
            raise Conflict(_("%(n)d people have answered this question; it can no longer be removed.", n=answered),
                           code=ErrorCode.INVALID_STATE)
        db.session.delete(question)


def move_question(event_id: int, question_id: int, offset: int, *, actor) -> None:
    with write_transaction():
        question = get_question(event_id, question_id)
        _move(list(question.event.questions), question, offset)
