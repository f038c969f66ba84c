"""`DriverStatement` runs a Core statement through the driver: the same rows, types and errors as
`Connection.execute`, inside the caller's transaction, on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from events_app.database import utcnow, write_transaction
from events_app.driver_statements import DriverStatement
from events_app.enums import Affiliation, EventStatus
from events_app.events.models import Event
from events_app.extensions import db
from events_app.people.models import Person

EVENT_COLUMNS = sa.select(Event.id, Event.slug, Event.status, Event.starts_at, Event.capacity,
                          Event.title.label("event_title")).where(Event.slug == sa.bindparam("slug"))


def test_rows_and_types_match_sqlalchemys(app, make_event):
    make_event(slug="driver-rows", capacity=None)
    statement = DriverStatement(EVENT_COLUMNS)
    with app.app_context():
        connection = db.session.connection()
        expected = connection.execute(EVENT_COLUMNS, {"slug": "driver-rows"}).one()
        row = statement.execute(connection, {"slug": "driver-rows"}).first()
        assert tuple(row) == tuple(expected)
        assert row._fields == ("id", "slug", "status", "starts_at", "capacity", "event_title")
        assert row.status is EventStatus.PUBLISHED or isinstance(row.status, EventStatus)
        assert row.starts_at.tzinfo is not None and row.starts_at.utcoffset() == timedelta(0)
        assert row.capacity is None
        assert statement.execute(connection, {"slug": "no-such-event"}).first() is None
        assert statement.execute(connection, {"slug": "no-such-event"}).scalar() is None


def test_binds_go_through_the_column_types_and_fixed_values_are_kept(app, make_event):
    """A bound aware datetime is stored as UTC (UTCDateTime's bind processor), an enum by the
    column's own rule, and a value fixed in the statement (`status == 'published'`) is sent too."""
    make_event(slug="driver-binds")
    later = datetime(2031, 5, 6, 19, 0, tzinfo=timezone(timedelta(hours=9)))
    update = DriverStatement(sa.update(Event).where(Event.slug == sa.bindparam("match"),
                                                    Event.status == EventStatus.PUBLISHED)
                             .values(ends_at=sa.bindparam("at"), updated_at=sa.bindparam("at")))
    with app.app_context():
        with write_transaction() as session:
            assert update.execute(session.connection(), {"match": "driver-binds", "at": later}).rowcount == 1
            assert update.execute(session.connection(), {"match": "other", "at": later}).rowcount == 0
        stored = db.session.scalar(sa.select(Event.ends_at).where(Event.slug == "driver-binds"))
        assert stored == later and stored.utcoffset() == timedelta(0)


def test_returning_rows_and_part_of_the_callers_transaction(app):
    insert = DriverStatement(sa.insert(Person).values(
        email=sa.bindparam("email"), name="運転 手", name_kana="ウンテン シュ", affiliation=Affiliation.GUEST,
        created_at=sa.bindparam("now"), updated_at=sa.bindparam("now")).returning(Person.id))
    with app.app_context():
        with pytest.raises(RuntimeError):
            with write_transaction() as session:
                new_id = insert.execute(session.connection(), {"email": "rolled@back.example", "now": utcnow()}).scalar()
                assert isinstance(new_id, int)
                raise RuntimeError("roll it back")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                                 .where(Person.email == "rolled@back.example")) == 0
        with write_transaction() as session:
            kept = insert.execute(session.connection(), {"email": "kept@example.com", "now": utcnow()}).scalar()
        assert db.session.get(Person, kept).name == "運転 手"


def test_driver_errors_come_out_as_sqlalchemys(app):
    insert = DriverStatement(sa.insert(Person).values(
        email=sa.bindparam("email"), name="重複", affiliation=Affiliation.GUEST,
        created_at=sa.bindparam("now"), updated_at=sa.bindparam("now")))
    with app.app_context():
        with write_transaction() as session:
            insert.execute(session.connection(), {"email": "twice@example.com", "now": utcnow()})
        with pytest.raises(IntegrityError):
            with write_transaction() as session:
                insert.execute(session.connection(), {"email": "twice@example.com", "now": utcnow()})
        # The session is usable again and the first row is intact.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                                 .where(Person.email == "twice@example.com")) == 1


def test_fixed_statements_only(app):
    """An expanding IN (SQLAlchemy renders it per execution) is refused at the first execution."""
    expanding = DriverStatement(sa.select(Event.id).where(Event.slug.in_(sa.bindparam("slugs", expanding=True))))
    with app.app_context():
        with pytest.raises(ValueError, match="fixed statements"):
            expanding.execute(db.session.connection(), {"slugs": ["a"]})


def test_python_side_column_defaults_are_applied(app, make_event):
    """Columns the statement leaves out get their model defaults, as through SQLAlchemy: a
    constant (`Person.company` ""), a function per execution (`created_at`, `updated_at`'s onupdate)."""
    event = make_event(slug="driver-defaults")
    insert = DriverStatement(sa.insert(Person).values(email=sa.bindparam("email"), name="既定",
                                                      affiliation=Affiliation.GUEST).returning(Person.id))
    touch = DriverStatement(sa.update(Event).where(Event.id == sa.bindparam("id")).values(capacity=77))
    with app.app_context():
        before = db.session.scalar(sa.select(Event.updated_at).where(Event.id == event.id))
        with write_transaction() as session:
            person_id = insert.execute(session.connection(), {"email": "defaults@example.com"}).scalar()
            assert touch.execute(session.connection(), {"id": event.id}).rowcount == 1
        person = db.session.get(Person, person_id)
        assert person.company == "" and person.created_at.tzinfo is not None
        assert abs(person.created_at - utcnow()) < timedelta(minutes=1)
        capacity, updated = db.session.execute(sa.select(Event.capacity, Event.updated_at)
                                               .where(Event.id == event.id)).one()
        assert capacity == 77 and updated > before


@pytest.mark.postgres_only
def test_postgresql_a_write_opens_a_transaction_and_a_one_statement_write_does_not(app):
    from psycopg.pq import TransactionStatus

    now = utcnow()
    values = dict(name="取引", affiliation=Affiliation.GUEST, created_at=now, updated_at=now)
    plain = DriverStatement(sa.insert(Person).values(email=sa.bindparam("email"), **values))
    alone = DriverStatement(sa.insert(Person).values(email=sa.bindparam("email"), **values), one_statement=True)
    with app.app_context():
        connection = db.session.connection()
        raw = connection.connection.dbapi_connection
        alone.execute(connection, {"email": "alone@example.com"})
        assert raw.info.transaction_status == TransactionStatus.IDLE  # committed by itself
        plain.execute(connection, {"email": "in-transaction@example.com"})
        assert raw.info.transaction_status == TransactionStatus.INTRANS
        db.session.rollback()
        emails = set(db.session.scalars(sa.select(Person.email).where(Person.email.like("%@example.com"))))
        assert emails == {"alone@example.com"}


@pytest.mark.postgres_only
def test_postgresql_a_connection_dropped_under_a_statement_is_invalidated_not_reused(app, make_event, database_url):
    """The server ends the backend between two statements: the driver's error comes out as
    SQLAlchemy's with `connection_invalidated`, and the next transaction gets a working connection."""
    import psycopg

    make_event(slug="driver-dropped")
    statement = DriverStatement(EVENT_COLUMNS)
    with app.app_context():
        connection = db.session.connection()
        pid = connection.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(sa.exc.OperationalError) as raised:
            statement.execute(connection, {"slug": "driver-dropped"})
        assert raised.value.connection_invalidated
        db.session.rollback()
        row = statement.execute(db.session.connection(), {"slug": "driver-dropped"}).first()
        assert row.slug == "driver-dropped"
