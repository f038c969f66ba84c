"""What pages and mails show about calendars: add-to-calendar links, feed titles, change lists."""
from __future__ import annotations

from datetime import datetime

from flask_babel import get_locale
from flask_babel import gettext as _

from ..events.labels import kind_label
from . import public, services
from .documents import CANCEL, clean_line, is_online_attendee, local_span, localized_title, venue_line
from .links import EntryDraft, google_calendar_url, outlook_calendar_url, webcal_url


def _language() -> str:
    return str(get_locale() or "ja")


def feed_title(kind: str | None) -> tuple[str, str]:
    if kind:
        return (_("Tsunagu events: %(kind)s", kind=kind_label(kind)),
                _("Alumni and employee events (%(kind)s) from Tsunagu, kept up to date.", kind=kind_label(kind)))
    return _("Tsunagu events"), _("Alumni and employee events from Tsunagu, kept up to date.")


def feed_links(kind: str | None = None) -> dict:
    url = f"{services.base_url()}/calendar.ics" + (f"?kind={kind}" if kind else "")
    return {"https": url, "webcal": webcal_url(url)}


def _draft(event, *, location: str, extra: list[str]) -> EntryDraft:
    language = _language()
    lines = [_("When: %(when)s", when=local_span(event.starts_at, event.ends_at, event.timezone, language)), *extra]
    return EntryDraft(title=localized_title(event, language), starts_at=event.starts_at, ends_at=event.ends_at,
                      timezone=services.documents.zone_name(services.documents.event_zone(event.timezone)),
                      location=location, details="\n".join(lines))


def attendee_links(registration, token: str | None = None) -> dict | None:
    """The attendee's .ics plus Google/Outlook links; only the .ics once the invite is withdrawn."""
    method = services.current_method(registration)
    if method is None:
        return None
    links = services.invite_links(registration, token)
    ics = f"{links.manage}/invite.ics"
    if method == CANCEL:
        return {"method": method, "ics": ics}
    online = is_online_attendee(registration)
    event = registration.event
    extra = []
    if online and links.join:
        extra.append(_("Join link (personal, do not share): %(url)s", url=links.join))
    extra.append(_("View, change or cancel your registration: %(url)s", url=links.manage))
    location = (links.join or _("Online")) if online else venue_line(event)
    draft = _draft(event, location=location, extra=extra)
    return {"method": method, "ics": ics, "google": google_calendar_url(draft),
            "outlook": outlook_calendar_url(draft), "outlook365": outlook_calendar_url(draft, work_account=True)}


def public_links(event) -> dict | None:
    """A public event's .ics and web-calendar links, without any personal data."""
    if not public.is_public(event):
        return None
    ics = services.event_ics_url(event)
    location = venue_line(event) if event.has_in_person else _("Online")
    draft = _draft(event, location=location,
                   extra=[_("Details and registration: %(url)s", url=services.event_page_url(event))])
    return {"ics": ics, "webcal": webcal_url(ics), "google": google_calendar_url(draft),
            "outlook": outlook_calendar_url(draft), "outlook365": outlook_calendar_url(draft, work_account=True)}


# --- the update mail's list of changes ------------------------------------------------------

def _when(values: list, language: str) -> str:
    start, end, zone = values
    return local_span(datetime.fromisoformat(start), datetime.fromisoformat(end), zone, language)


def _text(value) -> str:
    text = clean_line(str(value)) if value not in (None, "") else ""
    return text or _("(none)")


def _position(lat, lon) -> str:
    if lat is None or lon is None:
        return _("(none)")
    return f"{float(lat):.5f}, {float(lon):.5f}"


def _schedule_from_changes(changes: dict, event) -> dict | None:
    """Old and new (start, end, zone), filling unchanged parts with the event's current values."""
    names = ("starts_at", "ends_at", "timezone")
    if not set(names) & changes.keys():
        return None
    now = [event.starts_at.isoformat(), event.ends_at.isoformat(), event.timezone]
    return {"old": [(changes.get(n) or [None])[0] or v for n, v in zip(names, now)],
            "new": [(changes.get(n) or [None, None])[1] or v for n, v in zip(names, now)]}


def describe_changes(payload: dict, event) -> list[dict]:
    """Rows {label, old, new} for an `event_updated` mail, in the current language."""
    language = _language()
    changes: dict = payload.get("changes") or {}
    rows: list[dict] = []
    schedule = payload.get("schedule") or _schedule_from_changes(changes, event)
    if schedule:
        rows.append({"label": _("Date and time"), "old": _when(schedule["old"], language),
                     "new": _when(schedule["new"], language)})
    for name, label in (("title", _("Title")), ("title_translation", _("Title")),
                        ("venue_name", _("Venue")), ("venue_address", _("Address")),
                        ("online_url", _("Online meeting URL"))):
        if name in changes:
            old, new = changes[name]
            rows.append({"label": label, "old": _text(old), "new": _text(new)})
    if {"venue_latitude", "venue_longitude"} & changes.keys():
        lat = changes.get("venue_latitude", [event.venue_latitude, event.venue_latitude])
        lon = changes.get("venue_longitude", [event.venue_longitude, event.venue_longitude])
        rows.append({"label": _("Map location"), "old": _position(lat[0], lon[0]), "new": _position(lat[1], lon[1])})
    return rows
