"""Field checks shared by the event, session, host and question services.

Each checker appends a translated message to `errors[field]` and returns the cleaned value,
so one call reports every problem of a submitted form at once.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _

Errors = dict[str, list[str]]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
MAX_EVENT_LENGTH = timedelta(days=14)
MAX_CAPACITY = 100_000
# Offsets run from UTC-12 to UTC+14: how far a wall-clock time in an unknown zone may be from UTC.
OFFSET_SPREAD = timedelta(hours=26)


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    return bool(name) and name in _zones()


def text(errors: Errors, field: str, value, *, max_length: int, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        add(errors, field, _("This field is required."))
    elif len(value) > max_length:
        add(errors, field, _("Keep this under %(max)d characters (it has %(n)d).", max=max_length, n=len(value)))
    return value


def url(errors: Errors, field: str, value, *, max_length: int = 1000) -> str:
    value = text(errors, field, value, max_length=max_length)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            add(errors, field, _("Enter a full web address starting with https:// or http://."))
    return value


def count(errors: Errors, field: str, value, *, minimum: int = 0, maximum: int = MAX_CAPACITY) -> int | None:
    """An optional whole number (empty = no limit)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            add(errors, field, _("Enter a whole number."))
            return None
    if value < minimum:
        add(errors, field, _("Enter %(min)d or more.", min=minimum))
    elif value > maximum:
        add(errors, field, _("Enter %(max)d or less.", max=maximum))
    return value


def number(errors: Errors, field: str, value, *, minimum: float, maximum: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        add(errors, field, _("Enter a number."))
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        add(errors, field, _("Enter a number."))
        return None
    if not (minimum <= value <= maximum):
        add(errors, field, _("Enter a number between %(min)s and %(max)s.", min=minimum, max=maximum))
    return value


def boolean(errors: Errors, field: str, value) -> bool:
    if isinstance(value, bool):
        return value
    add(errors, field, _("Enter true or false."))
    return False


def choice(errors: Errors, field: str, value, enum_cls):
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        add(errors, field, _("Choose one of: %(allowed)s.", allowed=allowed))
        return None


def moment(errors: Errors, field: str, value, tz_name: str | None, *, required: bool = True) -> datetime | None:
    """An aware UTC datetime. A naive one is a wall-clock time in `tz_name` (the event's zone)."""
    if value is None or value == "":
        if required:
            add(errors, field, _("This field is required."))
        return None
    if not isinstance(value, datetime):
        add(errors, field, _("Enter a date and time."))
        return None
    if value.tzinfo is None:
        if not tz_name or not is_time_zone(tz_name):
            return _floating(errors, field, value)  # the time zone field carries its own error
        zone = ZoneInfo(tz_name)
        aware = value.replace(tzinfo=zone)
        # A wall-clock time skipped by a daylight-saving change does not exist: say so.
        if aware.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != value:
            add(errors, field, _("This time does not exist in %(zone)s (the clocks change then).", zone=tz_name))
            return None
        value = aware
    value = value.astimezone(timezone.utc)
    if not (EARLIEST <= value < LATEST):
        add(errors, field, _("Enter a date between the years 2000 and 2099."))
        return None
    return value


def _floating(errors: Errors, field: str, value: datetime) -> datetime | None:
    """A wall-clock time whose zone is not known yet, kept naive: it still compares with the
    event's other times (all in that one zone), and is refused only if no zone brings it in range."""
    margin = OFFSET_SPREAD / 2
    if value + margin < EARLIEST.replace(tzinfo=None) or value - margin >= LATEST.replace(tzinfo=None):
        add(errors, field, _("Enter a date between the years 2000 and 2099."))
        return None
    return value


def comparable(*values: datetime | None) -> bool:
    """All given, and all aware or all wall-clock times of one unknown zone (see `moment`)."""
    return all(x is not None for x in values) and len({x.tzinfo is None for x in values}) == 1


def longer_than(starts: datetime, ends: datetime, limit: timedelta) -> bool:
    """In an unknown zone an offset change could shorten the stretch: say so only when none could."""
    slack = OFFSET_SPREAD if starts.tzinfo is None else timedelta(0)
    return ends - starts > limit + slack


def slug(errors: Errors, field: str, value) -> str:
    value = text(errors, field, value, max_length=120).lower()
    if value and not SLUG_RE.match(value):
        add(errors, field, _("Use lower-case letters, digits and single hyphens (for example alumni-mixer-2026)."))
    return value
