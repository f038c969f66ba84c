"""Concurrency of switches between in person and online: racing for the last online places never
exceeds online capacity, each seat given back is refilled once, and an HTTP race answers only
redirects — on PostgreSQL (conditional UPDATEs, row locks, SKIP LOCKED) and on SQLite (writers
queued by BEGIN IMMEDIATE, busy answers retried)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from events_app.enums import RegistrationStatus
from events_app.extensions import db
from events_app.registration import services
from events_app.registration.attendance_switch import AttendanceFull, SwitchOutcome, switch_attendance
from events_app.registration.models import Registration
from tests.switch_support import counters, holders, hybrid_fields, mails, register
from tests.test_registration_races import run_parallel

RACERS = 10


def by_status_and_mode(event_id: int) -> Counter:
    db.session.rollback()
    rows = db.session.execute(select(Registration.status, Registration.attendance_mode)
                              .where(Registration.event_id == event_id)).all()
    return Counter(f"{RegistrationStatus(s).value}/{m.value if hasattr(m, 'value') else m}" for s, m in rows)


def switch_job(registration_id: int, to: str, **options):
    def job():
        try:
            return switch_attendance(db.session.get(Registration, registration_id), to, **options).outcome
        except AttendanceFull:
            return "full"
    return job


def test_switches_racing_for_the_last_online_places_never_exceed_online_capacity(app, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=RACERS, online_capacity=3))
    racers = [register(event, n)[0] for n in range(RACERS)]
    waiting = [register(event, 100 + n)[0] for n in range(4)]

    results = run_parallel(app, [switch_job(rid, "online") for rid in racers])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Counter(results) == {SwitchOutcome.CONFIRMED: 3, "full": RACERS - 3}
    assert counters(event.id) == (RACERS, 3)
    assert (holders(event.id, "in_person"), holders(event.id, "online")) == (RACERS, 3)
    assert by_status_and_mode(event.id) == {"confirmed/in_person": RACERS, "confirmed/online": 3,
                                            "waitlisted/in_person": 1}
    promoted = [m.registration_id for m in mails("registration_promoted")]
    assert len(promoted) == len(set(promoted)) == 3 and set(promoted) <= set(waiting)


def test_waitlisted_switches_racing_cancellations_fill_every_seat_once(app, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=4, online_capacity=2))
    confirmed = [register(event, n)[0] for n in range(4)]
    waiting = [register(event, 10 + n)[0] for n in range(6)]

    jobs = [lambda rid=rid: services.cancel(db.session.get(Registration, rid)).status for rid in confirmed[:3]]
    jobs += [switch_job(rid, "online") for rid in waiting]
    results = run_parallel(app, jobs)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Counter(results[3:]) == {SwitchOutcome.CONFIRMED: 2, "full": 4}
    # 3 venue seats freed by the cancellations, refilled from the 4 still waiting for the venue.
    assert counters(event.id) == (4, 2)
    assert (holders(event.id, "in_person"), holders(event.id, "online")) == (4, 2)
    assert by_status_and_mode(event.id) == {"cancelled/in_person": 3, "confirmed/in_person": 4,
                                            "confirmed/online": 2, "waitlisted/in_person": 1}
    # Each promotion is told once. (Someone promoted to the venue an instant before their own
    # switch to online gives that seat back again: the race decides how often, not the counts.)
    promoted = [m.registration_id for m in mails("registration_promoted")]
    assert len(promoted) == len(set(promoted)) >= 3 and set(promoted) <= set(waiting)


def test_an_http_race_of_switches_answers_only_redirects_never_500(app, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=RACERS, online_capacity=RACERS))
    tokens = [register(event, n)[1] for n in range(RACERS)]

    def post(token):
        return app.test_client().post(f"/r/{token}/attendance", data={"attendance": "online"}).status_code

    # Every attendee twice at once: a double click never switches twice or fails.
    results = run_parallel(app, [lambda t=t: post(t) for t in tokens + tokens])

    assert results == [303] * (2 * RACERS)
    assert counters(event.id) == (0, RACERS)
    assert len(mails("registration_attendance_switched")) == RACERS
