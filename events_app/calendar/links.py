"""“Add to calendar” links for web calendars (Google, Outlook) and the feed's URLs.

Google and Outlook accept a new entry through a URL but never update it later, so the
pages say so and the .ics invite by mail stays the entry that follows changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit, urlunsplit

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_COM_URL = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_365_URL = "https://outlook.office.com/calendar/0/deeplink/compose"
# Web calendars cut long URLs; keep the details short (full details live behind the link).
MAX_DETAILS = 1000


@dataclass(frozen=True)
class EntryDraft:
    """What a web calendar pre-fills: title, times, place and a short plain-text body."""

    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    details: str


def _google_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _outlook_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_calendar_url(entry: EntryDraft) -> str:
    query = {
        "action": "TEMPLATE",
        "text": entry.title,
        "dates": f"{_google_time(entry.starts_at)}/{_google_time(entry.ends_at)}",
        "details": entry.details[:MAX_DETAILS],
        "location": entry.location,
        "ctz": entry.timezone,
    }
    return f"{GOOGLE_URL}?{urlencode(query)}"


def outlook_calendar_url(entry: EntryDraft, *, work_account: bool = False) -> str:
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": entry.title,
        "startdt": _outlook_time(entry.starts_at),
        "enddt": _outlook_time(entry.ends_at),
        "body": entry.details[:MAX_DETAILS],
        "location": entry.location,
    }
    base = OUTLOOK_365_URL if work_account else OUTLOOK_COM_URL
    return f"{base}?{urlencode(query)}"


def webcal_url(https_url: str) -> str:
    """The same feed URL with the webcal scheme, which opens the subscribe dialog of calendar apps."""
    parts = urlsplit(https_url)
    return urlunsplit(("webcal", parts.netloc, parts.path, parts.query, ""))
