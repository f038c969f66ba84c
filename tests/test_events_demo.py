"""`flask seed-demo`: a realistic programme, idempotent, with printed staff credentials."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from events_app.auth.services import authenticate
from events_app.enums import EventKind, EventStatus, RegistrationStatus, SessionKind
from events_app.events.models import Event
from events_app.extensions import db
from events_app.models import AuditEntry  # noqa: F401  (every table, for the row counts)


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
