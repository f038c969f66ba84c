"""Read models for the door and the operators: counts, attendee search, the attendee as shown,
check-in history, and looking an event up by its address."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import EventStaff, StaffUser
from ..database import utcnow
from ..enums import AttendanceMode, EventStatus, RegistrationStatus, Role, SessionKind
from ..errors import NotFound, ValidationError
from ..events.models import Event, EventSession, checkin_opens_at
from ..events.queries import event_by_slug  # noqa: F401  (re-exported through tickets.services)
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration, RegistrationSession
from ..templating import in_reader_language
from . import romaji
from .models import CheckIn
from .row_helpers import _staff_name


def _how_many(condition):
    """How many rows meet `condition` (0, not NULL, when none do): several counts in one pass."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def counts(event: Event) -> dict:
    """Checked in / expected, in person, online and at each breakout table, plus conflicts waiting
    for review.

    The venue figure counts people, not registrations' modes: whoever was checked in at the door
    is in both its numerator and its expected, so an online registrant who came anyway never makes
    it read 15 / 14. The online figure stays joined-by-link / registered online."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    in_person = Registration.attendance_mode == AttendanceMode.IN_PERSON
    online = Registration.attendance_mode == AttendanceMode.ONLINE
    at_venue = Registration.checked_in_at.is_not(None)
    n = _how_many

    row = db.session.execute(
        select(n(confirmed & (in_person | at_venue)), n(confirmed & at_venue),
               n(confirmed & online), n(confirmed & Registration.online_joined_at.is_not(None)),
               n(confirmed & (Registration.source == "walk_in")))
        .where(Registration.event_id == event.id)
    ).one()
    conflicts = conflicts_to_review(event.id)
    return {
        "in_person": {"checked_in": int(row[1]), "expected": int(row[0])},
        "online": {"joined": int(row[3]), "expected": int(row[2])},
        "walk_ins": int(row[4]),
        "conflicts": int(conflicts or 0),
        "sessions": session_counts(event),
    }


def session_counts(event: Event) -> list[dict]:
    """Checked in / expected at each breakout table, in timetable order.

    The venue's rule, table by table: expected are the confirmed choices of confirmed
    registrations that attend in person, plus anyone checked in at the door or at the table (an
    online registrant who came), so a table never reads 3 / 2. Timetable items take no check-ins."""
    # Outer joins keep a table nobody chose (0 / 0); a row counts only when both joins matched.
    chosen = (RegistrationSession.session_id == EventSession.id) & \
        (RegistrationSession.status == RegistrationStatus.CONFIRMED)
    confirmed = (Registration.id == RegistrationSession.registration_id) & \
        (Registration.status == RegistrationStatus.CONFIRMED)
    counted = Registration.id.is_not(None)
    at_table = RegistrationSession.checked_in_at.is_not(None)
    in_person = Registration.attendance_mode == AttendanceMode.IN_PERSON
    at_venue = Registration.checked_in_at.is_not(None)
    rows = db.session.execute(
        select(EventSession.id, EventSession.title, EventSession.title_translation, EventSession.room,
               _how_many(counted & (in_person | at_venue | at_table)), _how_many(counted & at_table))
        .outerjoin(RegistrationSession, chosen).outerjoin(Registration, confirmed)
        .where(EventSession.event_id == event.id, EventSession.kind == SessionKind.BREAKOUT)
        .group_by(EventSession.id, EventSession.title, EventSession.title_translation, EventSession.room,
                  EventSession.starts_at, EventSession.position)
        .order_by(EventSession.starts_at, EventSession.position, EventSession.id))
    # `title` stays the event's own (API clients match on it); `display_title` and `room` are what
    # the door page shows at load ("title (room)" in its table choice), so a table added while it
    # is open reads the same.
    return [{"id": row[0], "title": row[1], "display_title": in_reader_language(row[1], row[2], event.language),
             "room": row[3], "expected": int(row[4]), "checked_in": int(row[5])} for row in rows]


# A write stamps updated_at before it commits, so a change can become visible with a stamp a
# little older than the last answer's cursor; every answer repeats this much of the past.
CHANGES_OVERLAP = timedelta(seconds=30)

_CHANGES = (select(Registration.id, Registration.status, Registration.checked_in_at, Registration.checked_in_by_id,
                   Registration.online_joined_at, StaffUser.name, StaffUser.email,
                   (Registration.created_at >= sa.bindparam("since")).label("is_new"))
            .outerjoin(StaffUser, Registration.checked_in_by_id == StaffUser.id)
            .where(Registration.event_id == sa.bindparam("event_id"),
                   Registration.updated_at >= sa.bindparam("since")))


def check_in_changes(event, since: datetime) -> dict:
    """The check-in state of registrations changed since `since` (a cursor from an earlier answer):
    what door devices poll to keep their offline list as fresh as their counts.

    Each change also carries the registration's ticket-code hashes (a re-issue stamps
    `updated_at`), and one created since the cursor its whole offline record (`attendee`), so a
    device decides right about a new code or a new registrant without reloading its list."""
    cursor = utcnow()
    try:
        since = since - CHANGES_OVERLAP
    except OverflowError:  # a cursor in the year 1: everything is newer anyway
        pass
    rows = db.session.connection().execute(_CHANGES, {"event_id": event.id, "since": since}).all()
    if not rows:  # the usual answer every 5 s: one query, and as small as ever
        return {"cursor": cursor.isoformat(), "changes": []}
    return {"cursor": cursor.isoformat(), "changes": _changes_with_codes(event, since, rows)}


def _changes_with_codes(event, since: datetime, rows) -> list[dict]:
    """The changed rows as the door reads them: one query for all their code hashes, and three
    more for the records of new registrations, only when there are some."""
    from .offline import attendee_records, code_hashes  # offline.py builds on registration_json below

    changed = (Registration.event_id == event.id, Registration.updated_at >= since)
    valid, revoked = code_hashes(*changed)
    new = {}
    if any(row.is_new for row in rows):
        new = {record["id"]: record for record in attendee_records(*changed, Registration.created_at >= since)}
    changes = []
    for row in rows:
        change = {
            "id": row.id, "status": row.status.value,
            "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
            "checked_in_by": (row.name or row.email) if row.checked_in_by_id else None,
            "online_joined_at": row.online_joined_at.isoformat() if row.online_joined_at else None,
            "codes": valid.get(row.id, []), "revoked_codes": revoked.get(row.id, []),
        }
        if row.id in new:
            change["attendee"] = new[row.id]
        changes.append(change)
    return changes


def table_state(registration: Registration, session_id: int) -> dict:
    """Whether the person is booked for this table and when they were checked in there (from the
    table choices `search(..., session_id=...)` loaded with the registration)."""
    choice = next((c for c in registration.session_choices if c.session_id == session_id), None)
    booked = choice is not None and choice.status == RegistrationStatus.CONFIRMED
    return {"id": session_id, "booked": booked,
            "checked_in_at": choice.checked_in_at.isoformat() if booked and choice.checked_in_at else None}


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


# Longer than any name, kana, email or company; past ~4 KB a query would meet the server's HTML 414.
MAX_QUERY = 200


def search(event: Event, query: str, *, limit: int = 20, session_id: int | None = None) -> list[Registration]:
    """Registrations of this event matching a name, kana (hiragana and romaji work too), email or company.

    With `session_id` (the door checking in for a table) their table choices come loaded too, so
    the answer can give each person's state at that table without a query per person."""
    # Control characters match nothing anyone typed; a NUL would even end SQLite's LIKE pattern early.
    query = "".join(c for c in unicodedata.normalize("NFKC", query or "") if unicodedata.category(c) != "Cc").strip()
    if len(query) > MAX_QUERY:
        raise ValidationError(_("The search is too long: use at most %(n)d characters.", n=MAX_QUERY),
                              fields={"q": [_("At most %(n)d characters.", n=MAX_QUERY)]})
    if len(query) < 1:
        return []
    compact = "".join(query.split())
    kana = _katakana(compact)

    def squeeze(column):
        return sa.func.replace(sa.func.replace(sa.func.lower(column), " ", ""), "\u3000", "")

    # autoescape: a typed % or _ (common in emails) is a character, not a LIKE wildcard.
    text = compact.lower()
    matches = [squeeze(Person.name).contains(text, autoescape=True),
               squeeze(Person.name_kana).contains(kana.lower(), autoescape=True),
               sa.func.lower(Person.email).contains(text, autoescape=True),
               squeeze(Person.company).contains(text, autoescape=True)]
    # "tanaka" also finds タナカ, however its long vowels are spelt; "Yuki Tanaka" finds タナカ ユキ
    for reading in romaji.kana_readings(query):
        matches.append(Person.id.in_(_people_reading(event, reading)))
    stmt = (
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id)
        .where(sa.or_(*matches))
        .order_by(sa.case((Registration.status == RegistrationStatus.CONFIRMED, 0), else_=1), Person.name_kana,
                  Person.name)
        .limit(limit)
    )
    if session_id is not None:
        stmt = stmt.options(selectinload(Registration.session_choices))
    return list(db.session.scalars(stmt))


def _people_reading(event: Event, reading: str) -> list[int]:
    """People registered for this event whose フリガナ reads as `reading` (romaji.reads_as)."""
    rows = db.session.execute(
        select(Person.id, Person.name_kana).join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id, Person.name_kana.like(romaji.like_pattern(reading))))
    return [person_id for person_id, name_kana in rows if romaji.reads_as(_katakana(name_kana or ""), reading)]


def registration_json(registration: Registration, *, staff_names: dict | None = None) -> dict:
    """The attendee as the door screen shows them (name, kana, affiliation, company, alumni details)."""
    person = registration.person
    by_id = registration.checked_in_by_id
    by = (staff_names or {}).get(by_id) if staff_names is not None else _staff_name(by_id)
    return {
        "id": registration.id,
        "name": person.name,
        "name_kana": person.name_kana,
        "email": person.email,
        "affiliation": person.affiliation.value,
        "company": person.company,
        "job_title": person.job_title,
        "department": person.department,
        "former_department": person.former_department,
        "joined_year": person.joined_year,
        "left_year": person.left_year,
        "status": registration.status.value,
        "attendance_mode": registration.attendance_mode.value,
        "source": registration.source,
        "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
        "checked_in_by": by,
        "online_joined_at": registration.online_joined_at.isoformat() if registration.online_joined_at else None,
    }


# A conflict waits for review until an operator has looked at it (`CheckInReview`).
_UNREVIEWED_CONFLICT = (CheckIn.conflict.is_(True), ~CheckIn.review.has())


def conflicts_to_review(event_id: int) -> int:
    return int(db.session.scalar(
        select(sa.func.count()).select_from(CheckIn).where(CheckIn.event_id == event_id, *_UNREVIEWED_CONFLICT)) or 0)


def history(event: Event, *, conflicts_only: bool = False, limit: int = 500) -> list[CheckIn]:
    """The event's check-in history, newest first. `conflicts_only`: every row of each person with
    a conflict, person by person and in order, so the admission a conflict collided with (which
    device, which staff, when) stands right above it."""
    stmt = select(CheckIn).where(CheckIn.event_id == event.id)
    if conflicts_only:
        conflicted = select(CheckIn.registration_id).where(CheckIn.event_id == event.id, CheckIn.conflict.is_(True))
        stmt = (stmt.where(CheckIn.registration_id.in_(conflicted))
                .order_by(CheckIn.registration_id, CheckIn.at, CheckIn.id))
    else:
        stmt = stmt.order_by(CheckIn.at.desc(), CheckIn.id.desc())
    # What each row shows (the person, the table, a conflict's review), loaded for all rows at once.
    stmt = stmt.options(selectinload(CheckIn.registration).selectinload(Registration.person),
                        selectinload(CheckIn.session), selectinload(CheckIn.review))
    return list(db.session.scalars(stmt.limit(limit)))


def registration_history(registration_id: int) -> list[CheckIn]:
    return list(db.session.scalars(
        select(CheckIn).where(CheckIn.registration_id == registration_id).order_by(CheckIn.at, CheckIn.id)))


@dataclass(frozen=True)
class EventRef:
    """An event's identity without loading the row: what deciding a scan needs."""

    id: int
    slug: str
    is_cancelled: bool = False  # a cancelled event's door admits no one
    # The check-in window (Event.checkin_opens_minutes; None = any time) and what it is measured from.
    starts_at: datetime | None = None
    checkin_opens_minutes: int | None = None
    timezone: str = "Asia/Tokyo"

    @property
    def checkin_opens_at(self) -> datetime | None:
        return checkin_opens_at(self.starts_at, self.checkin_opens_minutes)


_EVENT_ID = select(Event.id, Event.status, Event.starts_at, Event.checkin_opens_minutes,
                   Event.timezone).where(Event.slug == sa.bindparam("slug"))


def event_ref(slug: str) -> EventRef:
    row = db.session.connection().execute(_EVENT_ID, {"slug": slug}).first()
    if row is None:
        raise NotFound(_("No event with that address."))
    return EventRef(row.id, slug, row.status == EventStatus.CANCELLED, row.starts_at, row.checkin_opens_minutes,
                    row.timezone)


def door_events(staff) -> list[Event]:
    """Events not over yet (and not cancelled) whose door `staff` may work: check-in staff their
    assigned ones, operators and admins every one."""
    stmt = (select(Event).where(Event.ends_at > utcnow(), Event.status != EventStatus.CANCELLED)
            .order_by(Event.starts_at))
    if staff.role not in (Role.ADMIN, Role.OPERATOR):
        stmt = stmt.join(EventStaff, EventStaff.event_id == Event.id).where(EventStaff.user_id == staff.id)
    return list(db.session.scalars(stmt))
