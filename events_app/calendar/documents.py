"""iCalendar documents: domain objects in, bytes out (RFC 5545 / iTIP RFC 5546).

Pure builders: no database, no config, no request. The caller passes the organizer, the links
and the SEQUENCE; the text is written in the language the caller asks for (Flask-Babel's
`force_locale`, so an app context is needed for the translations, nothing else).

Kinds of document:
- `personal_invite`: one attendee's METHOD:REQUEST (or METHOD:CANCEL) with their UID;
- `public_event`: METHOD:PUBLISH for people who are not registered (no personal data, no join URL);
- `event_feed`: every listed event in one subscribable calendar.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime as babel_format
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import pgettext
from icalendar import Alarm, Calendar, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from ..enums import AttendanceMode, EventKind, EventStatus, RegistrationStatus

PRODID = "-//Tsunagu//Alumni Events 1.0//JA"
# How often subscribers' clients should re-read the feed (RFC 7986 and the Microsoft hint).
FEED_REFRESH = timedelta(hours=1)

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"

# C0/C1 control characters other than line feed; a TAB becomes a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Organizer:
    name: str
    email: str


@dataclass(frozen=True)
class InviteLinks:
    """The attendee's links to put in their own invite."""

    manage: str  # /r/<token>: see, change or cancel the registration
    event_page: str  # the public event page
    join: str | None = None  # personal tracked join link, for online attendees only


# --- text hygiene ---------------------------------------------------------------------------

def clean_text(value: str | None) -> str:
    """Multi-line text fit for DESCRIPTION: CRLF normalised, tabs to spaces, controls removed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def clean_line(value: str | None) -> str:
    """One-line text fit for SUMMARY and LOCATION."""
    return " ".join(clean_text(value).split())


# --- time -----------------------------------------------------------------------------------

def event_zone(name: str | None) -> ZoneInfo | timezone:
    """The event's IANA zone; an unknown name falls back to UTC so no client ever gets a TZID
    without a matching VTIMEZONE (events refuse unknown zones on save; this is the last guard)."""
    try:
        return ZoneInfo(name or "")
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return timezone.utc


def zone_name(zone: ZoneInfo | timezone) -> str:
    return zone.key if isinstance(zone, ZoneInfo) else "UTC"


def local_span(starts_at: datetime, ends_at: datetime, zone_label: str, language: str) -> str:
    """"2026/12/10 (木) 19:00–21:00 (Asia/Tokyo)" in the event's zone and the reader's language."""
    zone = event_zone(zone_label)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    day = "yyyy/MM/dd (EEE)" if language == "ja" else "EEE, d MMM yyyy"
    first = babel_format(start, f"{day} HH:mm", locale=language)
    if start.date() == end.date():
        last = babel_format(end, "HH:mm", locale=language)
    else:
        last = babel_format(end, f"{day} HH:mm", locale=language)
    return f"{first}–{last} ({zone_name(zone)})"


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


# --- shared pieces --------------------------------------------------------------------------

def localized_title(event, language: str) -> str:
    if language != event.language and event.title_translation:
        return clean_line(event.title_translation)
    return clean_line(event.title)


def _session_title(session, language: str) -> str:
    if language != session.event.language and session.title_translation:
        return clean_line(session.title_translation)
    return clean_line(session.title)


def is_online_attendee(registration) -> bool:
    event = registration.event
    return event.kind == EventKind.WEBINAR or (
        event.kind == EventKind.HYBRID and registration.attendance_mode == AttendanceMode.ONLINE
    )


def venue_line(event) -> str:
    return clean_line(", ".join(p for p in (event.venue_name, event.venue_address) if p and p.strip()))


def _new_calendar(method: str, zone) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-timezone", zone_name(zone))
    return cal


def _add_times(vevent: VEvent, event, zone) -> None:
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))


def _finish(cal: Calendar, spans: Iterable[tuple[datetime, datetime]]) -> bytes:
    """Add the VTIMEZONEs the events use, covering only the years they need (keeps the file small)."""
    spans = list(spans)
    if spans:
        first = min(s for s, _ in spans).date() - timedelta(days=366)
        last = max(e for _, e in spans).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=max(first, date(1970, 1, 1)), last_date=last)
    return cal.to_ical()


def _busy(vevent: VEvent, busy: bool) -> None:
    vevent.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    vevent.add("x-microsoft-cdo-busystatus", "BUSY" if busy else "FREE")
    vevent.add("x-microsoft-cdo-intendedstatus", "BUSY" if busy else "FREE")


def _where_lines(event, *, online: bool, join_url: str | None) -> list[str]:
    lines = []
    if online:
        lines.append(_("How to join: online"))
        if join_url:
            lines.append(_("Join link (personal, do not share): %(url)s", url=join_url))
        else:
            lines.append(_("The join link will be sent before the event starts."))
    else:
        if event.venue_name.strip():
            lines.append(_("Venue: %(venue)s", venue=clean_line(event.venue_name)))
        if event.venue_address.strip():
            lines.append(_("Address: %(address)s", address=clean_line(event.venue_address)))
        if event.venue_map_url.strip():
            lines.append(_("Map: %(url)s", url=clean_line(event.venue_map_url)))
    return lines


def _location(event, *, online: bool, join_url: str | None) -> str:
    if online:
        return join_url or _("Online")
    return venue_line(event)


# --- the personal invite ----------------------------------------------------------------------

def personal_invite(registration, *, method: str, sequence: int, organizer: Organizer, links: InviteLinks,
                    language: str | None = None, stamp: datetime | None = None) -> bytes:
    """One attendee's invite (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL) as .ics bytes.

    `registration.event`, `.person` and `.session_choices` are read; the UID is the
    registration's fixed `calendar_uid`, the SEQUENCE the one recorded for this version.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    event, person = registration.event, registration.person
    language = language or registration.language or event.language
    zone = event_zone(event.timezone)
    online = is_online_attendee(registration)
    join_url = links.join if online else None
    cancelled = method == CANCEL

    with force_locale(language):
        cal = _new_calendar(method, zone)
        vevent = VEvent()
        vevent.add("uid", registration.calendar_uid)
        vevent.add("sequence", int(sequence))
        vevent.add("dtstamp", _utc(stamp or datetime.now(timezone.utc)))
        if getattr(event, "updated_at", None):
            vevent.add("last-modified", _utc(event.updated_at))
        _add_times(vevent, event, zone)
        title = localized_title(event, language)
        vevent.add("summary", _cancelled_summary(event, title) if cancelled else title)
        vevent.add("description", _personal_description(registration, language=language, online=online,
                                                        join_url=join_url, links=links, cancelled=cancelled))
        location = _location(event, online=online, join_url=join_url)
        if location:
            vevent.add("location", location)
        if not online and event.venue_latitude is not None and event.venue_longitude is not None:
            vevent.add("geo", (event.venue_latitude, event.venue_longitude))
        vevent.add("url", links.manage)
        vevent.add("organizer", _organizer(organizer))
        vevent.add("attendee", _attendee(person, cancelled=cancelled))
        vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        vevent.add("class", "PRIVATE")
        _busy(vevent, not cancelled)
        if not cancelled:
            vevent.add_component(_reminder(event, online=online, title=title))
        cal.add_component(vevent)
        return _finish(cal, [(event.starts_at, event.ends_at)])


def _cancelled_summary(event, title: str) -> str:
    # Japanese 【中止】 says the event is called off; one whose own registration ended must not read that.
    if event.is_cancelled:
        return _("Cancelled: %(title)s", title=title)
    return pgettext("registration", "Cancelled: %(title)s", title=title)


def _personal_description(registration, *, language: str, online: bool, join_url: str | None,
                          links: InviteLinks, cancelled: bool) -> str:
    event = registration.event
    lines: list[str] = []
    if cancelled:
        if event.status == EventStatus.CANCELLED:
            lines.append(_("This event has been cancelled."))
            if event.cancellation_reason.strip():
                lines.append(clean_text(event.cancellation_reason))
        elif registration.status == RegistrationStatus.REJECTED:
            lines.append(_("Your registration was not accepted."))
        else:
            lines.append(_("Your registration has been cancelled."))
        lines.append("")
    lines.append(localized_title(event, language))
    lines.append(_("When: %(when)s", when=local_span(event.starts_at, event.ends_at, event.timezone, language)))
    if not cancelled:
        lines.extend(_where_lines(event, online=online, join_url=join_url))
        sessions = _chosen_sessions(registration)
        if sessions:
            lines.append("")
            lines.append(_("Your sessions:"))
            for session in sessions:
                lines.append(_session_line(session, language))
    lines.append("")
    lines.append(_("Event details: %(url)s", url=links.event_page))
    if cancelled:
        lines.append(_("Your registration: %(url)s", url=links.manage))
    else:
        lines.append(_("View, change or cancel your registration: %(url)s", url=links.manage))
    return "\n".join(lines)


def _chosen_sessions(registration) -> list:
    chosen = [c.session for c in registration.session_choices if c.status == RegistrationStatus.CONFIRMED]
    return sorted(chosen, key=lambda s: (s.starts_at, s.position, s.id))


def _session_line(session, language: str) -> str:
    zone = event_zone(session.event.timezone)
    start = babel_format(session.starts_at.astimezone(zone), "HH:mm", locale=language)
    end = babel_format(session.ends_at.astimezone(zone), "HH:mm", locale=language)
    title = _session_title(session, language)
    if session.room.strip():
        return _("・%(start)s–%(end)s %(title)s (%(room)s)", start=start, end=end, title=title,
                 room=clean_line(session.room))
    return _("・%(start)s–%(end)s %(title)s", start=start, end=end, title=title)


def _organizer(organizer: Organizer) -> vCalAddress:
    address = vCalAddress(f"mailto:{organizer.email}")
    address.params["cn"] = vText(clean_line(organizer.name))
    return address


def _attendee(person, *, cancelled: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(clean_line(person.name))
    address.params["cutype"] = vText("INDIVIDUAL")
    address.params["role"] = vText("REQ-PARTICIPANT")
    # Registering is the acceptance; changes go through the manage link, not iTIP replies.
    address.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    address.params["rsvp"] = vText("FALSE")
    return address


def _reminder(event, *, online: bool, title: str) -> Alarm:
    minutes = (event.online_reminder_minutes_before or 15) if online else 60
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


# --- public documents -------------------------------------------------------------------------

def _stable_stamp(event) -> datetime:
    """DTSTAMP of a published entry: when it last changed, so identical content gives identical
    bytes (HTTP ETags then let subscribed clients skip unchanged feeds)."""
    return getattr(event, "updated_at", None) or datetime.now(timezone.utc)


def public_uid(event, domain: str) -> str:
    """The UID of the public entry for an event: stable, and distinct from every personal UID."""
    return f"event-{event.id}@{domain}"


def _public_vevent(event, *, url: str, domain: str, language: str, stamp: datetime, zone) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", public_uid(event, domain))
    vevent.add("sequence", int(event.calendar_sequence or 0))
    vevent.add("dtstamp", _utc(stamp))
    if getattr(event, "updated_at", None):
        vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    cancelled = event.status == EventStatus.CANCELLED
    title = localized_title(event, language)
    vevent.add("summary", _("Cancelled: %(title)s", title=title) if cancelled else title)
    lines = []
    if cancelled:
        lines += [_("This event has been cancelled."), ""]
    lines.append(_("When: %(when)s", when=local_span(event.starts_at, event.ends_at, event.timezone, language)))
    if event.has_in_person:
        lines.extend(_where_lines(event, online=False, join_url=None))
    if event.has_online:
        lines.append(_("Online participation available (the join link is sent to registered attendees)."))
    lines += ["", _("Details and registration: %(url)s", url=url)]
    vevent.add("description", "\n".join(lines))
    location = venue_line(event) if event.has_in_person else _("Online")
    if location:
        vevent.add("location", location)
    if event.has_in_person and event.venue_latitude is not None and event.venue_longitude is not None:
        vevent.add("geo", (event.venue_latitude, event.venue_longitude))
    vevent.add("url", url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("class", "PUBLIC")
    vevent.add("categories", [str(event.kind)])
    _busy(vevent, False)  # a listing is not a commitment: keep the subscriber's time free
    return vevent


def public_event(event, *, url: str, domain: str, language: str, organizer: Organizer | None = None,
                 stamp: datetime | None = None) -> bytes:
    """One event as METHOD:PUBLISH for anyone: no attendee, no join URL."""
    zone = event_zone(event.timezone)
    with force_locale(language):
        cal = _new_calendar(PUBLISH, zone)
        vevent = _public_vevent(event, url=url, domain=domain, language=language,
                                stamp=stamp or _stable_stamp(event), zone=zone)
        if organizer:
            vevent.add("organizer", _organizer(organizer))
        cal.add_component(vevent)
        return _finish(cal, [(event.starts_at, event.ends_at)])


def event_feed(events: Sequence, *, name: str, description: str, url_for_event, domain: str, language: str,
               default_zone: str = "Asia/Tokyo", stamp: datetime | None = None) -> bytes:
    """A subscribable calendar of events (METHOD:PUBLISH) with refresh hints for clients."""
    feed_zone = event_zone(default_zone)
    with force_locale(language):
        cal = _new_calendar(PUBLISH, feed_zone)
        cal.add("name", clean_line(name))
        cal.add("x-wr-calname", clean_line(name))
        cal.add("x-wr-caldesc", clean_line(description))
        cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(FEED_REFRESH))
        for event in events:
            zone = event_zone(event.timezone)
            cal.add_component(_public_vevent(event, url=url_for_event(event), domain=domain,
                                             language=language, stamp=stamp or _stable_stamp(event), zone=zone))
        return _finish(cal, [(e.starts_at, e.ends_at) for e in events])
