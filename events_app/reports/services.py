"""The figures of an event's report, computed from the database in a few small queries.

Definitions (the PDF, the reports page, the API and the tests share them):
- registered: every registration row of the event, whatever its status now.
- confirmed: status confirmed now (walk-ins included).
- attended in person: `checked_in_at` is set (the cached state the check-in history explains,
  so an undone check-in does not count); attended online: `online_joined_at` is set and the
  person was not also checked in at the venue (nobody counts twice).
- walk-ins: registered at the door (`source="walk_in"`) and confirmed now, as the door's live
  counts say; a walk-in the full event put on the waitlist was not admitted and is not counted.
- no-show rate: confirmed registrations made before the event (walk-ins excluded) that did
  not attend, over those confirmed registrations.
- waitlist peak: see `waitlist_peak`.
- held: the event has ended and was not cancelled. Until then nobody can be a no-show and
  attendance is at most partial, so the page and the PDF show registrations only and withhold
  every figure derived from attendance (they would read as 0 attended and a 100% no-show rate).
  A cancelled event is never held, whatever its dates; the page and the PDF say it was cancelled.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..database import utcnow
from ..enums import Affiliation, CheckInKind, RegistrationStatus
from ..events.models import Event, EventSession
from ..events.queries import event_by_slug  # noqa: F401  (re-exported for the reports views, API and CLI)
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration, RegistrationSession
from ..tickets.models import CheckIn
from .models import EventNote
from .survey_results import SurveyFigures, survey_figures, theme_labels  # noqa: F401  (re-exported)

BREAKDOWN_LIMIT = 12  # rows shown per breakdown; the rest are summed into "Other"
TIMELINE_MAX_BINS = 48


@dataclass
class KeyFigures:
    registered: int = 0
    confirmed: int = 0
    pending: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    rejected: int = 0
    attended: int = 0
    attended_in_person: int = 0
    attended_online: int = 0
    walk_ins: int = 0
    expected: int = 0  # confirmed before the event (walk-ins excluded)
    no_shows: int = 0
    waitlist_peak: int = 0

    @property
    def no_show_rate(self) -> float | None:
        return None if not self.expected else self.no_shows / self.expected

    @property
    def no_show_percent(self) -> str:
        rate = self.no_show_rate
        return "–" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class BreakdownRow:
    label: str | None  # None: not given; "__other__": the rows past the limit
    confirmed: int = 0
    attended: int = 0


@dataclass
class SessionFigures:
    id: int
    title: str
    title_translation: str
    starts_at: datetime
    room: str
    capacity: int | None
    chosen: int = 0
    waitlisted: int = 0
    checked_in: int = 0  # checked in at the table itself
    attended_event: int = 0  # chose it and came to the event

    @property
    def fill_percent(self) -> str:
        if not self.capacity:
            return "–"
        return f"{self.chosen / self.capacity * 100:.0f}%"


@dataclass
class TimelineBin:
    starts_at: datetime  # aware, in the event's zone
    count: int

    @property
    def label(self) -> str:
        return self.starts_at.strftime("%H:%M")


@dataclass
class EventFigures:
    event: Event
    key: KeyFigures
    breakdowns: dict[str, list[BreakdownRow]]
    timeline: list[TimelineBin]
    timeline_minutes: int
    sessions: list[SessionFigures]
    survey: SurveyFigures
    notes: list[EventNote]
    computed_at: datetime

    @property
    def cancelled(self) -> bool:
        return self.event.is_cancelled

    @property
    def held(self) -> bool:
        """The event has ended (and was not called off), so attendance figures mean something."""
        return not self.cancelled and self.event.ends_at <= self.computed_at

    @property
    def started(self) -> bool:
        return self.event.starts_at <= self.computed_at

    def as_dict(self) -> dict:
        """A JSON-friendly view (API and the reports page's polling)."""
        key = asdict(self.key)
        key["no_show_rate"] = self.key.no_show_rate
        if not self.held:
            # Nobody can be a no-show before the end: null, as the page and the PDF leave it out.
            key["no_shows"] = key["no_show_rate"] = None
        survey = asdict(self.survey)
        return {
            "event": {"slug": self.event.slug, "title": self.event.title,
                      "starts_at": self.event.starts_at.isoformat(), "ends_at": self.event.ends_at.isoformat()},
            "key_figures": key,
            "breakdowns": {name: [asdict(r) for r in rows] for name, rows in self.breakdowns.items()},
            "timeline": {"minutes_per_bin": self.timeline_minutes,
                         "bins": [{"starts_at": b.starts_at.isoformat(), "count": b.count} for b in self.timeline]},
            "sessions": [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(s).items()}
                         for s in self.sessions],
            "survey": survey,
            "notes": [{"body": n.body, "highlight": n.highlight, "created_at": n.created_at.isoformat()}
                      for n in self.notes],
            "held": self.held,
            "cancelled": self.cancelled,
            "computed_at": self.computed_at.isoformat(),
        }


# --- key figures and breakdowns --------------------------------------------------------

def _attendance(checked_in_at, online_joined_at) -> str | None:
    if checked_in_at is not None:
        return "in_person"
    if online_joined_at is not None:
        return "online"
    return None


def waitlist_peak(intervals: Iterable[tuple[datetime, datetime | None]]) -> int:
    """The most registrations waiting at the same moment.

    There is no table of waitlist counts over time, so the peak is derived from each
    registration's own timestamps: a registration that was on the waitlist (it is waitlisted
    now, or it carries a `waitlist_rank`) waited from `created_at` until it was confirmed
    (`confirmed_at`) or cancelled (`cancelled_at`), or is still waiting. A sweep over those
    intervals gives the maximum. If a promotion clears `waitlist_rank`, a promoted registration
    is no longer visible, so the figure is a lower bound, never an overstatement.
    """
    points: list[tuple[datetime, int]] = []
    for start, end in intervals:
        points.append((start, 1))
        if end is not None:
            points.append((end, -1))
    # At the same instant, leaving is applied before joining.
    points.sort(key=lambda p: (p[0], p[1]))
    current = peak = 0
    for _at, delta in points:
        current += delta
        peak = max(peak, current)
    return peak


def _sorted_rows(counter: dict, *, by_label: bool, limit: int | None = BREAKDOWN_LIMIT) -> list[BreakdownRow]:
    rows = [BreakdownRow(label, c[0], c[1]) for label, c in counter.items()]
    if by_label:
        rows.sort(key=lambda r: (r.label is None, r.label if r.label is not None else 0))
        return rows
    rows.sort(key=lambda r: (r.label is None, -r.attended, -r.confirmed, str(r.label)))
    if limit and len(rows) > limit:
        head, tail = rows[: limit - 1], rows[limit - 1:]
        head.append(BreakdownRow("__other__", sum(r.confirmed for r in tail), sum(r.attended for r in tail)))
        return head
    return rows


def _key_figures_and_breakdowns(event: Event) -> tuple[KeyFigures, dict[str, list[BreakdownRow]]]:
    stmt = (
        select(Registration.status, Registration.source, Registration.checked_in_at, Registration.online_joined_at,
               Registration.created_at, Registration.confirmed_at, Registration.cancelled_at,
               Registration.waitlist_rank, Person.affiliation, Person.company, Person.department,
               Person.former_department, Person.joined_year, Person.left_year)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event.id)
    )
    key = KeyFigures()
    counters: dict[str, dict] = {name: defaultdict(lambda: [0, 0]) for name in (
        "affiliation", "alumni_joined_year", "alumni_left_year", "alumni_former_department",
        "employee_department", "employee_joined_year", "alumni_company")}
    waiting: list[tuple[datetime, datetime | None]] = []
    for row in db.session.execute(stmt):
        status = RegistrationStatus(row.status)
        key.registered += 1
        if status == RegistrationStatus.CONFIRMED:
            key.confirmed += 1
        elif status == RegistrationStatus.PENDING:
            key.pending += 1
        elif status == RegistrationStatus.WAITLISTED:
            key.waitlisted += 1
        elif status == RegistrationStatus.CANCELLED:
            key.cancelled += 1
        elif status == RegistrationStatus.REJECTED:
            key.rejected += 1
        walk_in = row.source == "walk_in"
        key.walk_ins += walk_in and status == RegistrationStatus.CONFIRMED
        mode = _attendance(row.checked_in_at, row.online_joined_at)
        came = mode is not None
        if mode == "in_person":
            key.attended_in_person += 1
        elif mode == "online":
            key.attended_online += 1
        if status == RegistrationStatus.CONFIRMED and not walk_in:
            key.expected += 1
            key.no_shows += not came
        if status == RegistrationStatus.WAITLISTED or row.waitlist_rank is not None:
            end = None
            if status == RegistrationStatus.CONFIRMED:
                end = row.confirmed_at or row.created_at
            elif status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
                end = row.cancelled_at or row.created_at
            waiting.append((row.created_at, end))

        if status != RegistrationStatus.CONFIRMED and not came:
            continue
        affiliation = Affiliation(row.affiliation)
        cells = [("affiliation", affiliation.value)]
        if affiliation == Affiliation.ALUMNI:
            cells += [("alumni_joined_year", row.joined_year), ("alumni_left_year", row.left_year),
                      ("alumni_former_department", row.former_department or None),
                      ("alumni_company", row.company or None)]
        elif affiliation == Affiliation.EMPLOYEE:
            cells += [("employee_department", row.department or None),
                      ("employee_joined_year", row.joined_year)]
        for name, label in cells:
            cell = counters[name][label]
            cell[0] += status == RegistrationStatus.CONFIRMED
            cell[1] += came
    key.attended = key.attended_in_person + key.attended_online
    key.waitlist_peak = max(waitlist_peak(waiting), key.waitlisted)

    order = {a.value: i for i, a in enumerate(Affiliation)}
    affiliation_rows = [BreakdownRow(label, c[0], c[1]) for label, c in counters["affiliation"].items()]
    affiliation_rows.sort(key=lambda r: order.get(r.label, 99))
    breakdowns = {"affiliation": affiliation_rows}
    for name in ("alumni_joined_year", "alumni_left_year", "employee_joined_year"):
        breakdowns[name] = _sorted_rows(counters[name], by_label=True)
    for name in ("alumni_former_department", "employee_department", "alumni_company"):
        breakdowns[name] = _sorted_rows(counters[name], by_label=False)
    return key, breakdowns


# --- arrival timeline --------------------------------------------------------------------

def arrival_times(event: Event) -> list[datetime]:
    """When each attendee now checked in at the venue first arrived (one time per person).

    The check-in history has every scan and undo; a person counts once, at their earliest
    check-in, and only if they are checked in now (an undone check-in is not an arrival).
    """
    first = dict(db.session.execute(
        select(CheckIn.registration_id, func.min(CheckIn.at))
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event.id, CheckIn.kind == CheckInKind.CHECK_IN, CheckIn.session_id.is_(None),
               Registration.checked_in_at.is_not(None))
        .group_by(CheckIn.registration_id)
    ).all())
    times = []
    for reg_id, checked_in_at in db.session.execute(
        select(Registration.id, Registration.checked_in_at)
        .where(Registration.event_id == event.id, Registration.checked_in_at.is_not(None))
    ):
        at = first.get(reg_id) or checked_in_at
        if at.tzinfo is None:  # func.min() on SQLite bypasses the column type
            at = datetime.fromisoformat(str(at)).replace(tzinfo=checked_in_at.tzinfo)
        times.append(at)
    return times


def arrival_timeline(event: Event, times: list[datetime]) -> tuple[list[TimelineBin], int]:
    """Check-ins per 10 minutes in the event's zone (wider bins if arrivals spread over many hours)."""
    if not times:
        return [], 10
    tz = event.tz
    local = sorted(t.astimezone(tz) for t in times)
    minutes = 10
    for minutes in (10, 15, 30, 60, 120, 240, 1440):
        span = (local[-1] - local[0]).total_seconds() / 60
        if span / minutes < TIMELINE_MAX_BINS:
            break

    def floor(t: datetime) -> datetime:
        midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
        offset = int((t - midnight).total_seconds() // 60) // minutes * minutes
        return midnight + timedelta(minutes=offset)

    start, end = floor(local[0]), floor(local[-1])
    counts = Counter(floor(t) for t in local)
    bins = []
    at = start
    while at <= end:
        bins.append(TimelineBin(at, counts.get(at, 0)))
        at = (at + timedelta(minutes=minutes)).astimezone(tz)
    return bins, minutes


# --- sessions ----------------------------------------------------------------------------

def session_figures(event: Event) -> list[SessionFigures]:
    sessions = db.session.scalars(
        select(EventSession).where(EventSession.event_id == event.id)
        .order_by(EventSession.starts_at, EventSession.position, EventSession.id)
    ).all()
    out = {s.id: SessionFigures(s.id, s.title, s.title_translation, s.starts_at.astimezone(event.tz), s.room,
                                s.capacity) for s in sessions}
    if not out:
        return []
    rows = db.session.execute(
        select(RegistrationSession.session_id, RegistrationSession.status, RegistrationSession.checked_in_at,
               Registration.checked_in_at, Registration.online_joined_at, Registration.status)
        .join(Registration, Registration.id == RegistrationSession.registration_id)
        .where(Registration.event_id == event.id)
    )
    for session_id, choice_status, table_check_in, checked_in_at, online_joined_at, reg_status in rows:
        figures = out.get(session_id)
        if figures is None:
            continue
        if RegistrationStatus(choice_status) == RegistrationStatus.WAITLISTED:
            figures.waitlisted += 1
            continue
        if RegistrationStatus(choice_status) != RegistrationStatus.CONFIRMED:
            continue
        if RegistrationStatus(reg_status) != RegistrationStatus.CONFIRMED:
            continue
        figures.chosen += 1
        figures.checked_in += table_check_in is not None
        figures.attended_event += _attendance(checked_in_at, online_joined_at) is not None
    return list(out.values())


# --- everything --------------------------------------------------------------------------

def event_notes(event: Event) -> list[EventNote]:
    return list(db.session.scalars(
        select(EventNote).where(EventNote.event_id == event.id)
        .order_by(EventNote.highlight.desc(), EventNote.created_at, EventNote.id)
    ))


def event_figures(event: Event) -> EventFigures:
    """Every figure of the report, in about eight queries whatever the event's size."""
    key, breakdowns = _key_figures_and_breakdowns(event)
    timeline, minutes = arrival_timeline(event, arrival_times(event))
    return EventFigures(
        event=event, key=key, breakdowns=breakdowns, timeline=timeline, timeline_minutes=minutes,
        sessions=session_figures(event), survey=survey_figures(event, key.attended),
        notes=event_notes(event), computed_at=utcnow(),
    )


def nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    exponent = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent
