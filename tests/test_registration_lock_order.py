"""Cancelling and switching the same registrations at the same instant never deadlock (PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from events_app.enums import RegistrationStatus
from events_app.errors import DomainError
from events_app.extensions import db
from events_app.registration import services
from events_app.registration.attendance_switch import SwitchOutcome
from events_app.registration.models import Registration
from tests.switch_support import counters, hybrid_fields, register
from tests.test_registration_attendance_races import switch_job
from tests.test_registration_races import run_parallel

PAIRS = 8


def deadlocks() -> int:
    """PostgreSQL's count of deadlocks in this database, flushed: the pool's backends are closed
    first (a backend reports its statistics when it exits)."""
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        return conn.execute(text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")).scalar()


@pytest.mark.postgres_only
def test_a_cancellation_and_a_switch_of_one_registration_take_their_locks_in_one_order(app, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=PAIRS, online_capacity=PAIRS))
    racers = [register(event, n)[0] for n in range(PAIRS)]
    event_id = event.id
    before = deadlocks()
    jobs = []
    for rid in racers:
        jobs.append(lambda rid=rid: services.cancel(db.session.get(Registration, rid)).status)
        jobs.append(switch_job(rid, "online"))
    results = run_parallel(app, jobs)

    assert deadlocks() == before, results
    cancellations, switches = results[0::2], results[1::2]
    assert cancellations == [RegistrationStatus.CANCELLED] * PAIRS  # every cancellation went through
    for answer in switches:  # a switch came first, or found the registration already cancelled
        assert answer == SwitchOutcome.CONFIRMED or isinstance(answer, DomainError), answer
    assert counters(event_id) == (0, 0)  # and every seat taken either way was given back
