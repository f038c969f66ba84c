"""Turning what an attendee typed (form or JSON) into clean values, with a message per field."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ..database import utcnow
from ..enums import Affiliation, AttendanceMode, EventKind, QuestionKind, SessionKind
from ..errors import DomainError, ErrorCode, ValidationError
from ..events.models import Event, EventSession, Question
from ..people.services import normalise_email, normalise_kana
from ..templating import localized

MAX_NAME = 200
MAX_TEXT_ANSWER = 2000
MAX_SESSIONS = 50
YEAR_MIN = 1900

# Which details belong to which affiliation; the others are ignored (the form hides them).
AFFILIATION_FIELDS = {
    Affiliation.ALUMNI: ("company", "job_title", "former_department", "joined_year", "left_year"),
    Affiliation.EMPLOYEE: ("department", "joined_year"),
    Affiliation.GUEST: ("company", "job_title"),
}
DETAIL_FIELDS = ("company", "job_title", "department", "former_department", "joined_year", "left_year")


@dataclass
class CleanRegistration:
    email: str
    name: str
    name_kana: str
    affiliation: Affiliation
    attendance: AttendanceMode
    details: dict[str, Any]
    session_ids: list[int]
    answers: dict[int, Any]
    consent: bool
    errors: dict[str, list[str]] = field(default_factory=dict)


def choice_values(question: Question) -> list[str]:
    """A question's choices as plain strings (operators may store strings or {value, label})."""
    out = []
    for choice in question.choices or []:
        if isinstance(choice, dict):
            out.append(str(choice.get("value") or choice.get("label") or ""))
        else:
            out.append(str(choice))
    return [c for c in out if c]


def _text(data: dict, key: str, errors: dict, *, limit: int = MAX_NAME) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(key, []).append(_("This must be text."))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.setdefault(key, []).append(_("Use at most %(max)d characters.", max=limit))
        return ""
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        errors.setdefault(key, []).append(_("This contains characters that are not allowed."))
        return ""
    return value


def _year(data: dict, key: str, errors: dict) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(key, []).append(_("Enter a year such as 2008."))
        return None
    latest = utcnow().year  # joining and leaving have happened: no year after this one
    if isinstance(value, bool) or not YEAR_MIN <= year <= latest:
        errors.setdefault(key, []).append(_("Enter a year between %(min)d and %(max)d.", min=YEAR_MIN, max=latest))
        return None
    return year


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


def clean_answer(question: Question, raw: Any, errors: dict, *, enforce_required: bool = True) -> Any:
    """The stored value of one answer (str, list[str] or bool), or None when left empty."""
    key = f"answers.{question.id}"
    choices = choice_values(question)
    if question.kind == QuestionKind.YES_NO:
        if raw in (None, ""):
            value = None
        elif isinstance(raw, bool):
            value = raw
        elif str(raw).strip().lower() in {"yes", "true", "1", "on", "y"}:
            value = True
        elif str(raw).strip().lower() in {"no", "false", "0", "off", "n"}:
            value = False
        else:
            errors.setdefault(key, []).append(_("Answer yes or no."))
            return None
    elif question.kind == QuestionKind.MULTIPLE_CHOICE:
        items = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
        items = [str(i) for i in items]
        unknown = [i for i in items if i not in choices]
        if unknown:
            errors.setdefault(key, []).append(_("Choose from the options given."))
            return None
        value = [c for c in choices if c in items] or None
    elif question.kind == QuestionKind.SINGLE_CHOICE:
        value = None if raw in (None, "") else str(raw)
        if value is not None and value not in choices:
            errors.setdefault(key, []).append(_("Choose one of the options given."))
            return None
    else:
        if raw is not None and not isinstance(raw, str):
            errors.setdefault(key, []).append(_("This must be text."))
            return None
        value = (raw or "").strip() or None
        if value and len(value) > MAX_TEXT_ANSWER:
            errors.setdefault(key, []).append(_("Use at most %(max)d characters.", max=MAX_TEXT_ANSWER))
            return None
    if value is None and question.required and enforce_required:
        errors.setdefault(key, []).append(_("This question needs an answer."))
    return value


def clean_answers(event: Event, raw_answers: Any, errors: dict, *, enforce_required: bool = True) -> dict[int, Any]:
    if raw_answers in (None, ""):
        raw_answers = {}
    if not isinstance(raw_answers, dict):
        errors.setdefault("answers", []).append(_("Answers must be an object keyed by question id."))
        return {}
    by_key = {str(k): v for k, v in raw_answers.items()}
    known = {str(q.id) for q in event.questions}
    if set(by_key) - known:
        errors.setdefault("answers", []).append(_("Some answers are for questions this event does not have."))
    out = {}
    for question in event.questions:
        value = clean_answer(question, by_key.get(str(question.id)), errors, enforce_required=enforce_required)
        if value is not None:
            out[question.id] = value
    return out


def clean_sessions(event: Event, raw_ids: Any, errors: dict) -> list[int]:
    """Chosen session ids: they must belong to the event and must not overlap in time."""
    if raw_ids in (None, ""):
        return []
    if not isinstance(raw_ids, list) or len(raw_ids) > MAX_SESSIONS:
        errors.setdefault("session_ids", []).append(_("Choose sessions from the list."))
        return []
    try:
        ids = sorted({int(i) for i in raw_ids if not isinstance(i, bool)})
    except (TypeError, ValueError):
        errors.setdefault("session_ids", []).append(_("Choose sessions from the list."))
        return []
    # Only breakout tables are chosen; timetable items (opening, talks) are for everyone.
    by_id: dict[int, EventSession] = {s.id: s for s in event.sessions if s.kind == SessionKind.BREAKOUT}
    if any(i not in by_id for i in ids):
        errors.setdefault("session_ids", []).append(_("Some chosen sessions are not part of this event."))
        return []
    chosen = [by_id[i] for i in ids]
    for i, first in enumerate(chosen):
        for second in chosen[i + 1:]:
            if first.overlaps(second):
                errors.setdefault("session_ids", []).append(
                    _("“%(a)s” and “%(b)s” take place at the same time; choose one of them.",
                      a=localized(first, "title"), b=localized(second, "title")))
    return ids


def require_session_choice(event: Event, session_ids: list[int], errors: dict) -> None:
    """An event that requires a breakout session refuses a registration without one. A full
    session is a choice too (its waitlist); an event without breakouts asks nothing impossible."""
    if (event.session_choice_required and not session_ids and "session_ids" not in errors
            and any(s.kind == SessionKind.BREAKOUT for s in event.sessions)):
        errors["session_ids"] = [_("Choose at least one session.")]


def default_attendance(event: Event) -> AttendanceMode:
    return AttendanceMode.ONLINE if event.kind == EventKind.WEBINAR else AttendanceMode.IN_PERSON


def clean_registration(event: Event, data: dict[str, Any], *, require_kana: bool,
                       require_consent: bool = True, require_answers: bool = True) -> CleanRegistration:
    """Validate everything at once so the attendee sees every problem in one round trip.

    Staff entering someone (the door's walk-in, an operator) pass `require_consent` and
    `require_answers` False: they ask in person, and a queue must not wait on a survey question
    or a table choice (`require_answers` covers the event's required session choice too).

    Raises ValidationError (422) with `fields`, or audience_not_allowed (403).
    """
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors)
    if not name and "name" not in errors:
        errors["name"] = [_("Enter your name.")]
    kana_raw = _text(data, "name_kana", errors)
    kana = ""
    if kana_raw:
        try:
            kana = normalise_kana(kana_raw)
        except ValueError:
            errors.setdefault("name_kana", []).append(_("Enter the reading in katakana or hiragana."))
    elif require_kana and "name_kana" not in errors:
        errors["name_kana"] = [_("Enter the reading of your name in katakana.")]
    email = ""
    raw_email = data.get("email")
    if raw_email is not None and not isinstance(raw_email, str):
        errors["email"] = [_("Enter a valid email address.")]
    else:
        try:
            email = normalise_email(raw_email or "")
        except ValidationError as err:
            errors.update(err.fields)

    affiliation = None
    try:
        affiliation = Affiliation(str(data.get("affiliation") or ""))
    except ValueError:
        errors["affiliation"] = [affiliation_choice_message(event)]

    details: dict[str, Any] = {k: ("" if not k.endswith("_year") else None) for k in DETAIL_FIELDS}
    if affiliation is not None:
        for key in AFFILIATION_FIELDS[affiliation]:
            details[key] = _year(data, key, errors) if key.endswith("_year") else _text(data, key, errors)
        if details["joined_year"] and details["left_year"] and details["left_year"] < details["joined_year"]:
            errors.setdefault("left_year", []).append(_("The year of leaving cannot be before the year of joining."))

    attendance = default_attendance(event)
    raw_mode = data.get("attendance")
    if event.kind == EventKind.HYBRID:
        try:
            attendance = AttendanceMode(str(raw_mode or ""))
        except ValueError:
            errors["attendance"] = [_("Choose whether you will attend in person or online.")]
    elif raw_mode not in (None, "") and str(raw_mode) != attendance.value:
        errors["attendance"] = [_("This event can only be attended %(mode)s.",
                                  mode=_("online") if attendance == AttendanceMode.ONLINE else _("in person"))]

    session_ids = clean_sessions(event, data.get("session_ids"), errors)
    if require_answers:
        require_session_choice(event, session_ids, errors)
    answers = clean_answers(event, data.get("answers"), errors, enforce_required=require_answers)
    consent = _truthy(data.get("consent", False))
    if require_consent and not consent:
        errors["consent"] = [_("Please agree to the privacy notice to register.")]

    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    assert affiliation is not None
    if affiliation.value not in event.audience:
        raise DomainError(audience_message(event, affiliation), code=ErrorCode.AUDIENCE_NOT_ALLOWED,
                          fields={"affiliation": [audience_message(event, affiliation)]})
    return CleanRegistration(email=email, name=name, name_kana=kana, affiliation=affiliation,
                             attendance=attendance, details=details, session_ids=session_ids,
                             answers=answers, consent=consent)


def affiliation_choice_message(event: Event) -> str:
    """Asks for an affiliation naming only those the event's form offers (whole sentences, for translators)."""
    audience = frozenset(event.audience)
    if audience == {"alumni", "employee"}:
        return _("Choose whether you are an alumnus/alumna or a current employee.")
    if audience == {"alumni", "guest"}:
        return _("Choose whether you are an alumnus/alumna or a guest.")
    if audience == {"employee", "guest"}:
        return _("Choose whether you are a current employee or a guest.")
    if audience == {"alumni"}:
        return _("Choose alumnus/alumna: this event is for alumni only.")
    if audience == {"employee"}:
        return _("Choose current employee: this event is for current employees only.")
    if audience == {"guest"}:
        return _("Choose guest: this event is for guests only.")
    return _("Choose whether you are an alumnus/alumna, a current employee or a guest.")


def audience_message(event: Event, affiliation: Affiliation) -> str:
    audience = set(event.audience)
    if audience == {"employee"}:
        return _("This event is for current employees only.")
    if audience == {"alumni"}:
        return _("This event is for alumni only.")
    if affiliation == Affiliation.GUEST:
        return _("This event is not open to guests.")
    if affiliation == Affiliation.ALUMNI:
        return _("This event is not open to alumni.")
    return _("This event is not open to current employees.")
