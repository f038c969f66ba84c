"""What the demo people did, timed relative to each event: registering, being approved, checking in,
answering the survey, and the operators' notes afterwards.

Registrations arrive the way invitations are answered: many in the first days after the
announcement, the rest trickling in, in waking hours, all before the event (or before "now" for
upcoming ones). At the past mixer people arrive around the 19:00 start from the 18:30 doors,
with a few late; the survey answers come in the days after the morning invitation.
Times come from a random generator seeded with the event's slug, so every run is the same.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..auth.models import StaffUser
from ..enums import AttendanceMode, CheckInKind, CheckInSource, RegistrationStatus, Role, SessionKind
from ..extensions import db
from . import demo_data as data
from .models import Event

TOKYO = ZoneInfo("Asia/Tokyo")
C, W, P, X = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
              RegistrationStatus.CANCELLED)


def registration_times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` sorted times between `start` and `end`, front-loaded, none between midnight and 7:00 in Tokyo."""
    span = (end - start).total_seconds()
    times = []
    for _ in range(count):
        at = start + timedelta(seconds=span * rng.betavariate(0.8, 1.8))
        if at.astimezone(TOKYO).hour < 7:
            at += timedelta(hours=8)
        times.append(min(at, end - timedelta(minutes=rng.randint(1, 30))))
    return sorted(times)


def _register(event: Event, person, status: RegistrationStatus, *, at: datetime, mode=AttendanceMode.IN_PERSON,
              rank: int | None = None, confirmed_at: datetime | None = None, cancelled_at: datetime | None = None,
              source: str = "web"):
    """A registration row written directly (no mail), keeping the seat counters exact."""
    from ..registration.models import Registration
    from ..registration.tokens import assign_manage_token

    existing = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                            Registration.person_id == person.id))
    if existing is not None:
        return existing
    holds = status == C
    if holds and confirmed_at is None:
        confirmed_at = at + timedelta(seconds=2)  # confirmed on submission (no approval step)
    last = max(t for t in (at, confirmed_at, cancelled_at) if t is not None)
    reg = Registration(event_id=event.id, person_id=person.id, status=status, attendance_mode=mode,
                       holds_seat=holds, waitlist_rank=rank, source=source, language=person.language,
                       calendar_uid=f"{uuid.uuid4()}@tsunagu", created_at=at, updated_at=last,
                       confirmed_at=confirmed_at, cancelled_at=cancelled_at,
                       invite_sent_at=confirmed_at if holds and source == "web" else None)
    assign_manage_token(reg)
    if holds:
        if mode == AttendanceMode.ONLINE:
            event.online_seats_taken += 1
        else:
            event.seats_taken += 1
    db.session.add(reg)
    db.session.flush()
    return reg


def _answer(reg, question, value) -> None:
    from ..registration.models import Answer

    db.session.add(Answer(registration_id=reg.id, question_id=question.id, value=value))


def _choose(reg, session, at: datetime) -> None:
    from ..registration.models import RegistrationSession

    reg.session_choices.append(RegistrationSession(session_id=session.id, status=C, holds_seat=True, created_at=at))
    session.seats_taken += 1


def _mixer(event: Event, people: dict, now: datetime) -> None:
    """Venue full (14), three on the waitlist who registered after it filled, four online."""
    rng = random.Random(event.slug)
    names = data.MIXER_IN_PERSON + data.MIXER_WAITLIST + data.MIXER_ONLINE
    times = registration_times(rng, event.published_at, now - timedelta(hours=1), len(names))
    online = sorted(rng.sample(range(len(times)), len(data.MIXER_ONLINE)))
    venue = [t for i, t in enumerate(times) if i not in online]  # in order: the last three found the venue full
    question = event.questions[0]
    for index, (name, at) in enumerate(zip(names, venue + [times[i] for i in online], strict=True)):
        person = people[name]
        if name in data.MIXER_WAITLIST:
            reg = _register(event, person, W, at=at, rank=data.MIXER_WAITLIST.index(name) + 1)
        else:
            mode = AttendanceMode.ONLINE if name in data.MIXER_ONLINE else AttendanceMode.IN_PERSON
            reg = _register(event, person, C, at=at, mode=mode)
        same = "同じ入社年（同期）" if person.joined_year in (2005, 2008, 2012) else "同じ出身部署"
        _answer(reg, question, same if index % 3 else "どこでも")


def _kabeuchi(event: Event, people: dict, now: datetime) -> None:
    """Eight employees approved at a table each; three still waiting for the operators' decision."""
    rng = random.Random(event.slug)
    tables = {s.room[-1]: s for s in event.sessions if s.kind == SessionKind.BREAKOUT}
    idea, drinks = sorted(event.questions, key=lambda q: q.position)
    rows = [(name, table, text, stay, C) for name, table, text, stay in data.KABEUCHI_CONFIRMED]
    rows += [(name, None, text, stay, P) for name, text, stay in data.KABEUCHI_PENDING]
    times = registration_times(rng, event.published_at, now - timedelta(hours=2), len(rows))
    for (name, table, text, stay, status), at in zip(rows, times, strict=True):
        approved = None
        if status == C:  # approved by the operators within a working day
            approved = min(at + timedelta(hours=rng.uniform(2, 20)), now - timedelta(minutes=10))
        reg = _register(event, people[name], status, at=at, confirmed_at=approved)
        if table:
            _choose(reg, tables[table], at)
        _answer(reg, idea, text)
        _answer(reg, drinks, stay)


def _webinar(event: Event, people: dict, now: datetime) -> None:
    rng = random.Random(event.slug)
    names = list(data.WEBINAR_ONLINE)
    for name, at in zip(names, registration_times(rng, event.published_at, now - timedelta(hours=1), len(names)),
                        strict=True):
        _register(event, people[name], C, at=at, mode=AttendanceMode.ONLINE)


def _past(event: Event, people: dict, users: dict[Role, StaffUser], now: datetime) -> None:
    """Registered over four weeks, two cancelled, three no-shows, two walk-ins, arrivals around 19:00."""
    from ..tickets.models import CheckIn

    rng = random.Random(event.slug)
    staff = users[Role.CHECKIN]
    tables = [s for s in sorted(event.sessions, key=lambda s: s.position) if s.kind == SessionKind.BREAKOUT]
    registered = [p for p in people.values() if p.name not in data.PAST_NOT_REGISTERED + data.PAST_WALK_INS]
    times = registration_times(rng, event.published_at, event.starts_at - timedelta(hours=3), len(registered))
    rng.shuffle(registered)
    doors = event.starts_at - timedelta(minutes=30)

    def arrival() -> datetime:
        minutes = max(-28.0, min(55.0, rng.gauss(-7, 11)))  # most just before 19:00, a few late
        return event.starts_at + timedelta(minutes=minutes, seconds=rng.randint(0, 59))

    def seat(person):
        department = person.former_department or person.department
        preferred = next((t for t, spec in zip(tables, data.PAST_TABLES, strict=True) if department in spec[2]),
                         tables[-1])
        return next((t for t in [preferred, *tables] if t.seats_taken < (t.capacity or 0)), None)

    def check_in(reg, at: datetime, *, source: CheckInSource, session=None, device: str = "受付 iPad 1") -> None:
        db.session.add(CheckIn(registration_id=reg.id, event_id=event.id, session_id=session.id if session else None,
                               kind=CheckInKind.CHECK_IN, source=source, at=at, client_at=at - timedelta(seconds=1),
                               staff_id=staff.id, device=device,
                               nonce=f"demo-{event.slug}-{reg.person_id}-{session.id if session else 0}"))

    attendees = []
    for person, at in zip(registered, times, strict=True):
        if person.name in data.PAST_CANCELLED:
            cancelled = min(at + timedelta(days=rng.uniform(3, 12)), event.starts_at - timedelta(hours=20))
            _register(event, person, X, at=at, confirmed_at=at + timedelta(seconds=2), cancelled_at=cancelled)
            continue
        reg = _register(event, person, C, at=at)
        table = seat(person)
        if table is not None:
            _choose(reg, table, at)
        if person.name not in data.PAST_NO_SHOWS:
            attendees.append((reg, table))
    for name in data.PAST_WALK_INS:  # registered at the desk on the night
        at = max(arrival(), doors + timedelta(minutes=5))
        reg = _register(event, people[name], C, at=at - timedelta(minutes=2), source="walk_in")
        reg.checked_in_at, reg.checked_in_by_id, reg.updated_at = at, staff.id, at
        check_in(reg, at, source=CheckInSource.WALK_IN)
    table_time = next(s.starts_at for s in tables)
    for index, (reg, table) in enumerate(attendees):
        at = max(arrival(), doors + timedelta(minutes=rng.randint(0, 4), seconds=rng.randint(0, 59)))
        reg.checked_in_at, reg.checked_in_by_id, reg.updated_at = at, staff.id, at
        check_in(reg, at, source=CheckInSource.SEARCH if index % 5 == 0 else CheckInSource.SCAN)
        if table is not None:  # scanned again when seated at the table
            seated = max(at, table_time) + timedelta(minutes=rng.uniform(1, 8))
            for choice in reg.session_choices:
                choice.checked_in_at = seated
            check_in(reg, seated, source=CheckInSource.SCAN, session=table, device=f"テーブル iPhone {table.position + 1}")
    db.session.flush()
    _past_survey(event, people, rng, now)
    _past_notes(event, users[Role.OPERATOR])


def _past_survey(event: Event, people: dict, rng: random.Random, now: datetime) -> None:
    """About six in ten attendees answered, between the morning invitation and now."""
    from ..registration.models import Registration
    from ..reports.models import SurveyResponse
    from ..reports.survey import invitation_due_at

    invited = invitation_due_at(event)
    for name, (score, useful, comments, introduction, host) in data.PAST_SURVEY.items():
        reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                           Registration.person_id == people[name].id))
        if reg is None or reg.checked_in_at is None:
            continue
        at = min(invited + timedelta(hours=rng.expovariate(1 / 18)), now - timedelta(minutes=rng.randint(5, 600)))
        db.session.add(SurveyResponse(registration_id=reg.id, event_id=event.id, score=score, most_useful=useful,
                                      comments=comments, introduction_requests=introduction, would_host=host,
                                      submitted_at=at, updated_at=at))


def _past_notes(event: Event, operator: StaffUser) -> None:
    from ..reports.models import EventNote

    for index, (days, highlight, body) in enumerate(data.PAST_NOTES):
        local_end = event.ends_at.astimezone(TOKYO)
        at = datetime.combine((local_end + timedelta(days=days)).date(), time(10, 15 + 20 * index), TOKYO)
        db.session.add(EventNote(event_id=event.id, author_id=operator.id, body=body, highlight=highlight,
                                 created_at=at))


def seed_activity(events: dict[str, tuple[Event, bool]], people: list, users: dict[Role, StaffUser], *,
                  now: datetime) -> None:
    """Registrations, check-ins, survey answers and notes of every event created in this run."""
    by_name = {p.name: p for p in people}
    for key, fill in (("mixer", _mixer), ("kabeuchi", _kabeuchi), ("webinar", _webinar)):
        event, new = events[key]
        if new:
            fill(event, by_name, now)
    past, new = events["past"]
    if new:
        _past(past, by_name, users, now)
