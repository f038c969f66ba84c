"""Concurrency: racing registrations, cancellations and promotions never overbook and never lose one.

Each thread has its own app context, so its own session and database connection. On
PostgreSQL the conditional UPDATEs and row locks decide; on SQLite BEGIN IMMEDIATE queues
the writers. Both must end with exactly the right numbers and no error answers.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from events_app.enums import RegistrationStatus
from events_app.events.models import Event, EventSession
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration import services
from events_app.registration.models import Registration, RegistrationSession

THREADS = 14


def run_parallel(app, jobs):
    """Run callables at the same instant, each in its own app context; returns results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def runner(i, job):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = job()
            except Exception as err:  # noqa: BLE001 — returned for the assertions
                results[i] = err
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return results


def data(n, **extra):
    return {"name": f"参加者 {n}", "name_kana": "サンカシャ", "email": f"racer{n}@example.jp",
            "affiliation": "employee", "department": "広報部", "consent": True, **extra}


def statuses(event_id):
    db.session.rollback()  # end this thread's read snapshot (SQLite WAL) and reload
    rows = db.session.scalars(select(Registration.status).where(Registration.event_id == event_id))
    return Counter(RegistrationStatus(s).value for s in rows)


def test_racing_for_the_last_seats_never_overbooks(app, db_backend, make_event):
    event = make_event(capacity=7)
    event_id = event.id
    results = run_parallel(app, [lambda n=n: services.register(db.session.get(Event, event_id), data(n)).status
                                 for n in range(THREADS)])
    assert not [r for r in results if isinstance(r, Exception)], results
    counts = statuses(event_id)
    assert counts == {"confirmed": 7, "waitlisted": THREADS - 7}
    assert db.session.get(Event, event_id).seats_taken == 7
    ranks = db.session.scalars(select(Registration.waitlist_rank).where(
        Registration.status == RegistrationStatus.WAITLISTED)).all()
    assert len(set(ranks)) == len(ranks) == THREADS - 7  # a strict order, no ties


def test_racing_for_a_sessions_last_seats(app, db_backend, make_event, make_session):
    event = make_event(capacity=None)
    table = make_session(event, capacity=3)
    event_id, table_id = event.id, table.id
    results = run_parallel(app, [lambda n=n: services.register(db.session.get(Event, event_id),
                                                                data(n, session_ids=[table_id])).status
                                 for n in range(THREADS)])
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.rollback()  # end this thread's read snapshot (SQLite WAL) and reload
    choices = Counter(RegistrationStatus(c.status).value for c in db.session.scalars(select(RegistrationSession)))
    assert choices == {"confirmed": 3, "waitlisted": THREADS - 3}
    assert db.session.get(EventSession, table_id).seats_taken == 3


def test_same_person_racing_creates_one_registration(app, db_backend, make_event):
    event = make_event()
    event_id = event.id
    results = run_parallel(app, [lambda: services.register(db.session.get(Event, event_id), data(1)).status
                                 for _ in range(8)])
    created = [r for r in results if r == RegistrationStatus.CONFIRMED]
    refused = [r for r in results if isinstance(r, services.AlreadyRegistered)]
    assert len(created) == 1 and len(refused) == 7, results
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_cancellations_racing_promotions_keep_every_seat_filled_once(app, db_backend, make_event):
    event = make_event(capacity=6)
    event_id = event.id
    regs = [services.register(event, data(n)).registration.id for n in range(14)]
    confirmed, waiting = regs[:6], regs[6:]
    # Cancel 4 confirmed (freeing seats, promoting) and 3 waitlisted (leaving the queue) at once.
    to_cancel = confirmed[:4] + waiting[:3]
    results = run_parallel(app, [lambda rid=rid: services.cancel(db.session.get(Registration, rid)).status
                                 for rid in to_cancel])
    assert not [r for r in results if isinstance(r, Exception)], results
    counts = statuses(event_id)
    assert counts == {"confirmed": 6, "cancelled": 7, "waitlisted": 1}
    assert db.session.get(Event, event_id).seats_taken == 6
    holders = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.holds_seat.is_(True)))
    assert holders == 6
    promoted_mails = db.session.scalars(select(OutboxMessage.registration_id).where(
        OutboxMessage.template == "registration_promoted")).all()
    # Each promotion is told exactly once. (A waitlisted registration may be promoted and then
    # cancelled by its own racing request; the order of the race decides, the counts do not change.)
    assert len(promoted_mails) == len(set(promoted_mails)) and set(promoted_mails) <= set(waiting)
    now_confirmed = set(db.session.scalars(select(Registration.id).where(
        Registration.status == RegistrationStatus.CONFIRMED)))
    assert now_confirmed - set(confirmed) <= set(promoted_mails) and len(now_confirmed - set(confirmed)) == 4


def test_http_race_on_the_api_answers_only_201_never_500(app, db_backend, make_event):
    event = make_event(capacity=5)
    slug = event.slug

    def post(n):
        response = app.test_client().post(f"/api/v1/events/{slug}/registrations", json=data(n))
        return response.status_code

    results = run_parallel(app, [lambda n=n: post(n) for n in range(THREADS)])
    assert results == [201] * THREADS
    assert statuses(event.id) == {"confirmed": 5, "waitlisted": THREADS - 5}
