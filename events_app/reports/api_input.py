"""The body of `POST /api/v1/events/<slug>/exports`, checked as a whole so one 422 names every faulty field."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from ..enums import RegistrationStatus
from ..errors import ValidationError
from ..events.models import Event
from .exports import AttendanceFilter, validate_session
from .jobs import JOB_KINDS

EXPORT_KEYS = frozenset({"kind", "lang", "appendix", "filters"})
FILTER_KEYS = ("statuses", "affiliation", "session_id", "attended")
# AttendanceFilter.parse names its fields as the page's form does; the API names them as its body does.
PARSER_FIELDS = {"status": "filters.statuses", "affiliation": "filters.affiliation",
                 "session": "filters.session_id", "attended": "filters.attended"}


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    lang: str
    appendix: bool
    filters: AttendanceFilter


def _one_of(errors: dict, field: str, value: Any, allowed) -> None:
    if not isinstance(value, str) or value not in allowed:
        errors.setdefault(field, []).append(_("Give one of: %(values)s.", values=", ".join(allowed)))


def _filter_values(errors: dict, raw: Any) -> dict[str, Any]:
    """The filters that have the right JSON type; the others become errors (a string is not a list)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.setdefault("filters", []).append(
            _("Give the filters as an object with statuses, affiliation, session_id and attended."))
        return {}
    for key in sorted(set(raw) - set(FILTER_KEYS)):
        errors.setdefault(f"filters.{key}", []).append(_("Unknown field."))
    values: dict[str, Any] = {}
    statuses = raw.get("statuses")
    if statuses is not None and (not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses)):
        errors.setdefault("filters.statuses", []).append(
            _("Give a list of statuses: %(values)s.", values=", ".join(s.value for s in RegistrationStatus)))
    else:
        values["statuses"] = statuses
    session_id = raw.get("session_id")
    if isinstance(session_id, bool) or not isinstance(session_id, (int, str, type(None))):
        errors.setdefault("filters.session_id", []).append(_("Give the session's id as a number."))
    else:
        values["session_id"] = session_id
    affiliation = raw.get("affiliation")
    if not isinstance(affiliation, (str, type(None))):
        errors.setdefault("filters.affiliation", []).append(_("Give text here."))
    else:
        values["affiliation"] = affiliation
    attended = raw.get("attended")
    if attended is not None and not isinstance(attended, bool) and attended not in ("yes", "no", "any"):
        errors.setdefault("filters.attended", []).append(_("Give one of: %(values)s.", values="yes, no"))
    else:
        values["attended"] = attended
    return values


def export_request(event: Event, body: dict[str, Any]) -> ExportRequest:
    """Validate the whole body; raise one ValidationError whose `fields` name every problem."""
    errors: dict[str, list[str]] = {}
    for key in sorted(set(body) - EXPORT_KEYS):
        errors.setdefault(key, []).append(_("Unknown field."))
    kind, lang, appendix = body.get("kind"), body.get("lang", "ja"), body.get("appendix", True)
    _one_of(errors, "kind", kind, JOB_KINDS)
    _one_of(errors, "lang", lang, current_app.config["LANGUAGES"])
    if not isinstance(appendix, bool):  # bool("no") is True: only JSON true and false are accepted
        errors.setdefault("appendix", []).append(_("Enter true or false."))
    values = _filter_values(errors, body.get("filters"))
    filters = AttendanceFilter()
    try:
        filters = AttendanceFilter.parse(**values)
        validate_session(event, filters)
    except ValidationError as err:
        for name, messages in err.fields.items():
            errors.setdefault(PARSER_FIELDS.get(name, f"filters.{name}"), []).extend(messages)
    if errors:
        raise ValidationError(_("Some fields need attention."), fields=errors)
    return ExportRequest(kind=kind, lang=lang, appendix=appendix, filters=filters)
