"""`flask seed-demo`: a realistic programme, idempotent, with printed staff credentials."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import jpholiday
import pytest
from sqlalchemy import func, select

from events_app.auth.services import authenticate
from events_app.enums import EventKind, EventStatus, RegistrationStatus, SessionKind
from events_app.events.models import Event
from events_app.extensions import db
from events_app.models import AuditEntry  # noqa: F401  (every table, for the row counts)
from tests.support import require_executable

TOKYO = ZoneInfo("Asia/Tokyo")


def row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def seeded(runner, db_backend):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def credentials(output: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s+(admin|operator|checkin)\s+(\S+@\S+)\s+(\S+)$", output, re.M)


def test_seed_demo_prints_one_working_account_per_role(seeded):
    creds = credentials(seeded.output)
    assert [role for role, _, _ in creds] == ["admin", "operator", "checkin"]
    for _role, email, password in creds:
        assert authenticate(email, password) is not None


def test_seed_demo_builds_the_programme(seeded):
    events = {e.slug: e for e in db.session.scalars(select(Event))}
    assert {e.kind for e in events.values()} >= {EventKind.HYBRID, EventKind.BUSINESS_DISCUSSION, EventKind.WEBINAR}
    mixer = events["alumni-mixer-tokyo"]
    assert mixer.capacity and mixer.online_capacity and mixer.title_translation
    kabeuchi = events["kabeuchi-night"]
    tables = [s for s in kabeuchi.sessions if s.kind == SessionKind.BREAKOUT]
    assert len(tables) == 4 and all(t.host and t.host.former_department for t in tables)
    assert any(h.former_department == "石炭部" for h in kabeuchi.hosts)
    past = [e for e in events.values() if e.status == EventStatus.COMPLETED]
    assert past and any(r.checked_in_at for r in _registrations(past[0]))
    statuses = {r.status for e in events.values() for r in _registrations(e)}
    assert {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED} <= statuses


def _registrations(event):
    from events_app.registration.models import Registration

    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))


def test_seat_counters_match_the_registrations(seeded):
    for event in db.session.scalars(select(Event)):
        held = [r for r in _registrations(event) if r.holds_seat]
        assert event.seats_taken + event.online_seats_taken == len(held), event.slug


def test_checkin_staff_is_assigned_to_the_mixer(seeded):
    from events_app.auth.models import EventStaff, StaffUser

    checkin = db.session.scalar(select(StaffUser).where(StaffUser.email == "checkin@tsunagu.example"))
    mixer = db.session.scalar(select(Event).where(Event.slug == "alumni-mixer-tokyo"))
    assert db.session.get(EventStaff, (mixer.id, checkin.id)) is not None


def test_a_second_run_changes_nothing_and_prints_the_same_credentials(seeded, runner):
    before = row_counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert row_counts() == before
    assert credentials(again.output) == credentials(seeded.output)
    assert "nothing changed" in again.output


def test_if_empty_skips_a_database_with_events(runner, make_event):
    make_event()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and result.output == ""
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_if_empty_seeds_an_empty_database(runner, db_backend):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == 4


def test_demo_pages_render(seeded, client):
    for path in ("/", "/events/alumni-mixer-tokyo", "/events/kabeuchi-night", "/events/webinar-career-after-trading",
                 "/events/alumni-mixer-autumn"):
        assert client.get(path).status_code == 200, path


# --- believable data: dates, timestamps, cohorts, survey ----------------------------------

def _event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _local(at: datetime) -> datetime:
    return at.astimezone(TOKYO)


@pytest.mark.parametrize("today", [
    datetime(2026, 11, 27, 12, tzinfo=TOKYO),  # 35 days later is 元日
    datetime(2026, 4, 10, 12, tzinfo=TOKYO),   # the mixer would land in Golden Week
    datetime(2027, 1, 5, 12, tzinfo=TOKYO),    # the past mixer would fall in the year-end break
    datetime(2026, 7, 22, 12, tzinfo=TOKYO),   # the mixer would land in お盆
    datetime(2026, 9, 11, 12, tzinfo=TOKYO),   # the webinar would land in 9/21–23 (敬老の日, 国民の休日, 秋分の日)
    datetime(2021, 7, 1, 12, tzinfo=TOKYO),    # the mixer would land on 海の日, moved to a Thursday in 2021
])
def test_demo_events_fall_on_working_weekdays(app, db_backend, today):
    from events_app.events.demo import is_off_day, seed_demo

    seed_demo(today=today)
    for event in db.session.scalars(select(Event)):
        start = _local(event.starts_at)
        assert start.weekday() in (1, 2, 3, 4) and not is_off_day(start.date()), (event.slug, start)
        assert not jpholiday.is_holiday(start.date()), (event.slug, start, jpholiday.is_holiday_name(start.date()))
        assert start.hour == 12 if event.kind == EventKind.WEBINAR else start.hour >= 18, (event.slug, start)


@pytest.mark.parametrize("today, slug, expected", [
    # 9/21 敬老の日 (Happy Monday), 9/22 国民の休日 (between two holidays), 9/23 秋分の日
    (datetime(2026, 9, 11, 12, tzinfo=TOKYO), "webinar-career-after-trading", date(2026, 9, 24)),
    # 1/11 成人の日 (Happy Monday)
    (datetime(2027, 1, 1, 12, tzinfo=TOKYO), "webinar-career-after-trading", date(2027, 1, 12)),
    # 7/22 海の日 and 7/23 スポーツの日, moved to a Thursday and Friday for the 2021 Olympics
    (datetime(2021, 7, 1, 12, tzinfo=TOKYO), "alumni-mixer-tokyo", date(2021, 7, 29)),
])
def test_demo_events_step_over_movable_holidays(app, db_backend, today, slug, expected):
    from events_app.events.demo import seed_demo

    seed_demo(today=today)
    assert _local(_event(slug).starts_at).date() == expected


@pytest.mark.parametrize("day", [
    date(2026, 9, 21),   # 敬老の日
    date(2026, 9, 22),   # 国民の休日
    date(2026, 9, 23),   # 秋分の日
    date(2027, 1, 11),   # 成人の日
    date(2026, 7, 20),   # 海の日
    date(2026, 10, 12),  # スポーツの日
    date(2027, 3, 22),   # 振替休日 for 春分の日 on Sunday 3/21
    date(2021, 7, 22),   # 海の日, moved for the Olympics
    date(2021, 7, 23),   # スポーツの日, moved for the Olympics
])
def test_movable_public_holidays_are_off_days(day):
    from events_app.events.demo import is_off_day

    assert is_off_day(day)


@pytest.mark.parametrize("day", [
    date(2024, 3, 21),   # the day after 春分の日 2024 (3/20)
    date(2026, 9, 24),   # the day after 秋分の日 2026 (9/23)
])
def test_the_days_around_an_equinox_are_working_days(day):
    from events_app.events.demo import is_off_day

    assert not is_off_day(day)


def test_registrations_of_the_past_event_precede_it(seeded):
    past = _event("alumni-mixer-autumn")
    for reg in _registrations(past):
        if reg.source == "walk_in":  # registered at the desk on the night
            assert past.starts_at - timedelta(minutes=30) <= reg.created_at <= reg.checked_in_at < past.ends_at
            continue
        assert past.published_at < reg.created_at < past.starts_at - timedelta(hours=1)
        assert reg.confirmed_at is None or reg.created_at <= reg.confirmed_at < past.starts_at
        assert reg.cancelled_at is None or reg.created_at < reg.cancelled_at < past.starts_at
    days_before = {(past.starts_at - r.created_at).days for r in _registrations(past) if r.source != "walk_in"}
    assert max(days_before) >= 14 and len(days_before) >= 8  # spread over weeks, not one burst


def test_arrivals_at_the_past_event_spread_around_the_start(seeded):
    past = _event("alumni-mixer-autumn")
    arrivals = sorted(r.checked_in_at for r in _registrations(past) if r.checked_in_at)
    assert len(arrivals) >= 20
    assert all(past.starts_at - timedelta(minutes=30) <= at <= past.starts_at + timedelta(hours=1) for at in arrivals)
    assert arrivals[0] < past.starts_at < arrivals[-1]
    assert len({at.replace(second=0) for at in arrivals}) >= len(arrivals) // 2  # not one per fixed step


def test_registrations_of_upcoming_events_were_made_before_now(seeded):
    from events_app.database import utcnow

    now = utcnow()
    for slug in ("alumni-mixer-tokyo", "kabeuchi-night", "webinar-career-after-trading"):
        event = _event(slug)
        for reg in _registrations(event):
            assert event.published_at < reg.created_at < now, slug
            assert reg.confirmed_at is None or reg.created_at <= reg.confirmed_at < now, slug
    mixer = _registrations(_event("alumni-mixer-tokyo"))
    venue = [r.created_at for r in mixer if r.status == RegistrationStatus.CONFIRMED and r.attendance_mode == "in_person"]
    waiting = [r.created_at for r in mixer if r.status == RegistrationStatus.WAITLISTED]
    assert waiting and min(waiting) > max(venue)  # the waitlist began when the venue was full


def test_people_form_cohorts_and_departments(seeded):
    from events_app.people.models import Person

    people = list(db.session.scalars(select(Person)))
    alumni = Counter((p.joined_year, p.former_department) for p in people if p.affiliation == "alumni")
    employees = Counter(p.joined_year for p in people if p.affiliation == "employee")
    assert [key for key, n in alumni.items() if n >= 3]  # e.g. 石炭部 2005
    assert max(employees.values()) >= 3
    assert all(re.fullmatch(r"[ァ-ヶー]+ [ァ-ヶー]+", p.name_kana) for p in people)
    assert all(p.name.count(" ") == 1 for p in people)


def test_the_past_event_report_is_full(seeded):
    from events_app.reports.services import event_figures

    figures = event_figures(_event("alumni-mixer-autumn"))
    survey = figures.survey
    assert survey.responses >= 10 and survey.nps is not None and 7 <= survey.average <= 9.5
    assert survey.themes and survey.common_answers and survey.comments
    assert len(survey.introductions) >= 3 and len(survey.hosts) >= 2
    assert any(row.label == 2005 and row.attended >= 3 for row in figures.breakdowns["alumni_joined_year"])
    assert figures.key.no_shows and figures.key.walk_ins and figures.key.cancelled
    assert len(figures.timeline) >= 4 and figures.notes
    assert figures.sessions and all(s.chosen and s.checked_in for s in figures.sessions)


def test_the_past_event_survey_is_still_open_for_the_rest(seeded):
    from events_app.reports.survey import send_followups

    assert send_followups() >= 5  # attendees who have not answered yet get their invitation


def test_the_past_event_summary_pdf_shows_survey_figures(seeded, runner, tmp_path):
    exe = require_executable("pdftotext", "poppler-utils")
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["event-summary", "alumni-mixer-autumn", "--output", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = subprocess.run([exe, "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert "No survey responses yet" not in text and "No introduction requests" not in text
    assert "Nobody offered to host" not in text
    assert re.search(r"NPS\s+\d+", text) and "石炭部" in text
