"""PostgreSQL runs reads in autocommit and opens a transaction for the first statement that writes
or locks (events_app/database.py, configure_postgresql): read-only requests never send ROLLBACK,
which would make psycopg drop the connection's prepared statements; writes stay atomic and
locking reads keep their lock until the commit. Pooled connections are checked without a round
trip: one the server closed is replaced before use, one idle for long is pinged."""
from __future__ import annotations

import tempfile
import time

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import pq
from psycopg.pq import TransactionStatus
from sqlalchemy.exc import IntegrityError

from events_app import database
from events_app.database import needs_transaction, utcnow, write_transaction
from events_app.enums import Affiliation
from events_app.events.models import Event
from events_app.extensions import db
from events_app.people.models import Person


@pytest.mark.parametrize("statement, expected", [
    ("SELECT event.id FROM event WHERE event.slug = %(slug)s", False),
    ("  select 1", False),
    ("SHOW server_version", False),
    ("SELECT event.id FROM event WHERE event.id = %(id)s FOR UPDATE", True),
    ("SELECT r.id FROM registration AS r FOR UPDATE OF r SKIP LOCKED", True),
    ("SELECT r.id FROM registration AS r FOR NO KEY UPDATE", True),
    ("SELECT r.id FROM registration AS r FOR SHARE", True),
    ("SELECT pg_advisory_xact_lock(42)", True),
    ("INSERT INTO person (email) VALUES (%(email)s) RETURNING person.id", True),
    ("UPDATE event SET seats_taken = seats_taken + 1 WHERE id = %(id)s", True),
    ("DELETE FROM event_staff WHERE event_id = %(id)s", True),
    ("WITH moved AS (UPDATE registration SET status = 'confirmed' RETURNING id) SELECT id FROM moved", True),
    ("CREATE TABLE t (id int)", True),
])
def test_only_plain_reads_run_outside_a_transaction(statement, expected):
    assert needs_transaction(statement) is expected


def _status(connection) -> TransactionStatus:
    return connection.connection.dbapi_connection.info.transaction_status


@pytest.mark.postgres_only
def test_reads_leave_no_transaction_open_so_prepared_statements_survive(app, db_backend, make_event):
    event = make_event(slug="prepared")
    lookup = sa.select(Event.id).where(Event.slug == sa.bindparam("slug"))
    with app.app_context():
        for _ in range(7):  # psycopg prepares a statement on its 5th execution
            connection = db.session.connection()
            assert db.session.execute(lookup, {"slug": "prepared"}).scalar_one() == event.id
            assert _status(connection) == TransactionStatus.IDLE
            raw = connection.connection.dbapi_connection
            db.session.rollback()  # what the end of a read-only request does: nothing to send
        prepared = raw.execute("SELECT count(*) FROM pg_prepared_statements "
                               "WHERE statement LIKE '%%FROM event%%'").fetchone()[0]
        assert prepared >= 1


@pytest.mark.postgres_only
def test_a_failed_write_rolls_back_every_statement_before_it(app, db_backend):
    now = utcnow()
    row = dict(name="同期 太郎", affiliation=Affiliation.ALUMNI, created_at=now, updated_at=now)
    with app.app_context():
        with pytest.raises(IntegrityError):
            with write_transaction() as session:
                session.execute(sa.insert(Person), [{**row, "email": "first@example.com"}])
                assert _status(session.connection()) == TransactionStatus.INTRANS
                session.execute(sa.insert(Person), [{**row, "email": "first@example.com"}])  # unique
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


@pytest.mark.postgres_only
def test_a_locking_read_keeps_its_lock_until_the_commit(app, db_backend, make_event, database_url):
    event = make_event(slug="locked")
    other = psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    try:
        with app.app_context():
            with write_transaction() as session:
                session.execute(sa.select(Event.id).where(Event.id == event.id).with_for_update()).one()
                with pytest.raises(psycopg.errors.LockNotAvailable):
                    other.execute("SELECT id FROM event WHERE id = %s FOR UPDATE NOWAIT", (event.id,))
            # Committed: the lock is gone.
            assert other.execute("SELECT id FROM event WHERE id = %s FOR UPDATE NOWAIT",
                                 (event.id,)).fetchone() == (event.id,)
    finally:
        other.close()


@pytest.mark.postgres_only
def test_an_admission_at_the_door_is_one_statement_without_begin_or_commit(
        app, db_backend, make_event, make_registration, make_staff):
    from events_app.enums import CheckInKind
    from events_app.tickets import services
    from events_app.tickets.models import CheckIn
    from events_app.tickets.services import CheckInResult

    event = make_event()
    registration = make_registration(event)
    staff = make_staff("checkin")
    code = services.ticket_code(registration)

    with app.app_context():
        # libpq's own protocol trace of the session's connection: every statement sent (Parse, or
        # Query for BEGIN / COMMIT) and the transaction status the server reports after it.
        raw = db.session.connection().connection.dbapi_connection
        with tempfile.TemporaryFile("w+") as trace:
            raw.pgconn.trace(trace.fileno())
            raw.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            try:
                outcome = services.check_in_code(event, code, staff=staff)
            finally:
                raw.pgconn.untrace()
            trace.seek(0)
            sent = _statements_sent(trace.read())
        assert outcome.result == CheckInResult.OK
        # The conditional UPDATE and the history INSERT in one statement, committed by itself.
        assert [entry for entry in sent if entry[0] != "SELECT"] == [("WITH", "I")]
        history = db.session.scalars(sa.select(CheckIn).where(CheckIn.registration_id == registration.id)).all()
        assert [(h.kind, h.staff_id, h.id) for h in history] == [(CheckInKind.CHECK_IN, staff.id, outcome.history_id)]
        # The second scan writes nothing.
        assert services.check_in_code(event, code, staff=staff).result == CheckInResult.ALREADY_CHECKED_IN


def _statements_sent(trace: str) -> list[tuple[str, str]]:
    """(first word of each statement sent, server's transaction status after it: I idle, T open)."""
    sent = []
    for line in trace.splitlines():
        fields = line.split("\t")
        if len(fields) < 4:
            continue
        direction, _length, message, *rest = fields
        if direction == "F" and message in ("Parse", "Query"):
            text = rest[0].strip().split('"')[-2] if message == "Query" else rest[0].split('"')[3]
            sent.append([text.split(None, 1)[0].upper(), None])
        elif direction == "B" and message == "ReadyForQuery" and sent and sent[-1][1] is None:
            sent[-1][1] = rest[0].strip()
    return [tuple(entry) for entry in sent]


def _plain(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.postgres_only
def test_a_restarted_server_costs_no_request(app, client, db_backend, make_event, database_url):
    make_event(slug="after-restart")
    assert client.get("/api/v1/events/after-restart").status_code == 200  # the pool holds connections now
    # The test keeps one app context open across requests; in production each request's teardown
    # hands its connection back to the pool like this.
    db.session.remove()
    # What a restart does to every client: the server ends their backends and closes the sockets.
    with psycopg.connect(_plain(database_url), autocommit=True) as admin:
        ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
        assert ended >= 1
        for _ in range(100):
            if admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND pid <> pg_backend_pid()").fetchone()[0] == 0:
                break
            time.sleep(0.02)
    assert client.get("/healthz").get_json() == {"status": "ok"}
    answer = client.get("/api/v1/events/after-restart")
    assert answer.status_code == 200 and answer.get_json()["slug"] == "after-restart"


@pytest.mark.postgres_only
def test_only_a_connection_idle_for_long_is_pinged(app, db_backend, monkeypatch):
    pings = []
    with app.app_context():
        dialect = db.engine.dialect
        real_ping = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
        for _ in range(3):  # busy: checked out again at once, no round trip spent on a ping
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        assert pings == []
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        assert pings == [1]


@pytest.mark.postgres_only
def test_a_connection_numbered_above_1024_is_checked_too(db_backend, database_url):
    """A busy threaded worker holds many sockets; the liveness check must not depend on select()'s
    1024-descriptor limit (it would call every such connection closed, and the pool give up)."""
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"needs 1,200 open files; the hard limit here is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    padding = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        connection = psycopg.connect(_plain(database_url), autocommit=True)
        try:
            assert connection.pgconn.socket > 1024
            assert database._closed_by_server(connection) is False
            with psycopg.connect(_plain(database_url), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (connection.info.backend_pid,))
            for _ in range(100):
                if database._closed_by_server(connection):
                    break
                time.sleep(0.02)
            assert database._closed_by_server(connection) is True
        finally:
            connection.close()
    finally:
        for fd in padding:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
