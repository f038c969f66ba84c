"""Column types and transaction helpers that make SQLite and PostgreSQL behave alike."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from .extensions import db
from .sqlite_writers import writer_turn


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite has no time zone support)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and opt-in BEGIN IMMEDIATE so concurrent writers queue, not fail."""
    if engine.dialect.name != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # in-memory databases cannot use WAL
            pass
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("tsunagu_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def write_transaction() -> Iterator[sa.orm.Session]:
    """One writing transaction: commits on success, rolls back on any error.

    On SQLite it starts with BEGIN IMMEDIATE so the write lock is taken up front; a
    deferred read transaction that later writes can fail at once with "database is
    locked" instead of waiting. Any read transaction already open is ended first, before the
    writer queues for its turn (`sqlite_writers`), so the turn covers the write alone.

    On PostgreSQL an open read transaction simply goes on into the write (READ COMMITTED: every
    statement sees what is committed when it runs, and row locks are taken where written),
    which saves a COMMIT and a BEGIN round trip on every write.
    """
    session = db.session()  # the request's real Session behind the scoped proxy
    sqlite = is_sqlite()
    if sqlite and session.in_transaction():
        session.commit()
    with _writer_turn(sqlite):
        if sqlite:
            session.connection(execution_options={"tsunagu_write": True})  # BEGIN IMMEDIATE now
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _writer_turn(sqlite: bool):
    if not sqlite:
        return nullcontext()
    from flask import current_app

    return writer_turn(db.engine.url.database, current_app.config.get("SQLITE_WRITER_QUEUE"))
