"""The values of a message to registrants, from the compose form or a JSON body.

One parser, so the pages and the API hand `messages.check_message` the same shapes: text as text,
`statuses` as a list, each recipient filter as its text value ("" for everyone). A form always
sends text; a JSON body may send anything, and a wrong type is a field error, not a crash.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from ..errors import ValidationError

TEXT_FIELDS = ("subject", "body", "subject_en", "body_en")
FILTER_FIELDS = ("attendance", "affiliation", "session", "attended")
# Empty: send now. Otherwise ISO 8601 with a zone (the form adds the event's zone to what was typed).
SCHEDULE_FIELDS = ("send_at",)
VALUE_FIELDS = TEXT_FIELDS + ("statuses",) + FILTER_FIELDS + SCHEDULE_FIELDS
IDEMPOTENCY_KEY_MAX = 64  # the column's width (registrant_message.idempotency_key)


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return ""
    # A session is named by its id, which a JSON client sends as a number.
    if name == "session" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def message_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the messages service takes, from form or JSON values; ValidationError on a wrong type."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS + FILTER_FIELDS + SCHEDULE_FIELDS:
        text = _text(name, raw.get(name))
        if text is None:
            errors[name] = [_("This must be text.")]
        else:
            values[name] = text
    statuses = raw.get("statuses")
    if statuses is None:
        values["statuses"] = []
    elif isinstance(statuses, list) and all(isinstance(s, str) for s in statuses):
        values["statuses"] = list(statuses)
    else:
        errors["statuses"] = [_("Give a list of statuses: confirmed, waitlisted, pending.")]
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)
    return values


def json_message_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """`message_values` of a JSON body; `statuses` left out means the confirmed, as on the form."""
    return message_values({"statuses": ["confirmed"], **data})


def idempotency_key(data: Mapping[str, Any]) -> str:
    """The client's key for a send: the same key again answers the first message, not a second one."""
    key = data.get("idempotency_key")
    if not isinstance(key, str) or not 1 <= len(key.strip()) <= IDEMPOTENCY_KEY_MAX:
        raise ValidationError(_("Give an idempotency_key of 1 to 64 characters, new for each message."),
                              fields={"idempotency_key": [_("Use 1 to 64 characters.")]})
    return key.strip()
