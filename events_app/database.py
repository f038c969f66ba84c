"""Column types and transaction helpers that make SQLite and PostgreSQL behave alike."""
from __future__ import annotations

import re
import select
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

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
        # Straight to the driver: `exec_driver_sql` costs an execution context and a result
        # object per transaction, and a door scan or a registration begins two.
        begin = "BEGIN IMMEDIATE" if conn.get_execution_options().get("tsunagu_write") else "BEGIN"
        try:
            conn.connection.dbapi_connection.execute(begin)
        except sqlite3.Error as err:  # e.g. "database is locked": callers retry SQLAlchemy's OperationalError
            raise sa.exc.DBAPIError.instance(begin, (), err, sqlite3.Error, dialect=conn.dialect) from err


# A statement that may run outside a transaction on PostgreSQL: a plain read. Anything else
# (DML, DDL, a locking read, an advisory lock) first opens one (`configure_postgresql`).
_PLAIN_READ = re.compile(r"\s*(SELECT|SHOW)\b", re.IGNORECASE)
_NEEDS_TRANSACTION = re.compile(r"\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY\s+SHARE)\b|pg_advisory", re.IGNORECASE)


# Execution option of a statement that is a whole transaction by itself (one statement, e.g. an
# UPDATE and an INSERT joined in a CTE): when no transaction is open, it runs without BEGIN and
# COMMIT, two round trips fewer.
ONE_STATEMENT = "tsunagu_one_statement"


@lru_cache(maxsize=4096)
def needs_transaction(statement: str) -> bool:
    # Cached: each compiled statement's text is one str object, asked on every execution, and
    # the search scans the whole text (16 µs of a 1 KB join's execution, py-spy).
    return not _PLAIN_READ.match(statement) or bool(_NEEDS_TRANSACTION.search(statement))


def configure_postgresql(engine: Engine) -> None:
    """Reads in autocommit; a transaction from the first statement that writes or locks.

    The engine runs psycopg in autocommit mode (`isolation_level="AUTOCOMMIT"`, set in
    `create_app`), and the first statement of a transaction that is not a plain SELECT sends
    `BEGIN` first; the session's commit or rollback then ends it as before. Why: a read-only
    request otherwise ends in `ROLLBACK`, and psycopg discards every prepared statement of the
    connection on a rollback (and deallocates them on the server), so the next request plans its
    joins again: 0.4-0.5 ms of server time for the door's ticket lookup, against 0.1 ms prepared.
    Reads lose nothing: under READ COMMITTED each statement sees what is committed when it starts,
    in a transaction or not. Writes keep their atomicity, and `FOR UPDATE` reads keep their lock
    until the commit, because both open the transaction before they run.
    """
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    from psycopg.pq import TransactionStatus

    idle = TransactionStatus.IDLE

    @sa_event.listens_for(engine, "before_cursor_execute")
    def _begin_before_writing(_conn, cursor, statement, _parameters, context, _executemany):
        if (cursor.connection.info.transaction_status == idle and needs_transaction(statement)
                and not (context is not None and context.execution_options.get(ONE_STATEMENT))):
            cursor.execute("BEGIN")

    _check_connections_cheaply(engine)


# A pooled PostgreSQL connection idle longer than this is pinged before use (see below).
PING_AFTER_IDLE_SECONDS = 30.0


def _closed_by_server(dbapi_connection) -> bool:
    """True when the server has closed this idle connection (a restart, a terminated backend): its
    socket then reads as ready (the server's goodbye and EOF) although no query is outstanding.
    The same zero-timeout check urllib3 makes before reusing a kept-alive HTTP connection."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        # poll, not select: a busy worker's descriptors may number over select's 1024.
        poller = select.poll()
        poller.register(dbapi_connection.pgconn.socket, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def _check_connections_cheaply(engine: Engine) -> None:
    """What pool_pre_ping did, without a round trip per checkout (PostgreSQL engines run with
    pool_pre_ping off). A request checks a connection out at least once, and the ping was a fifth of
    a door scan's work in the worker (py-spy, bench/checkin.py). A connection the server closed is
    seen locally (`_closed_by_server`) and replaced before use, so a restarted database costs no
    request; one idle for PING_AFTER_IDLE_SECONDS is still pinged, for a peer that vanished without
    closing (a crashed host, a dropped NAT entry). Raising DisconnectionError here makes the pool
    discard the connection and check out another (SQLAlchemy's documented checkout hook)."""
    dialect = engine.dialect

    @sa_event.listens_for(engine, "connect")
    @sa_event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @sa_event.listens_for(engine, "checkout")
    def _replace_if_gone(dbapi_connection, record, _proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")
        if time.monotonic() - record.info.get("idle_since", 0.0) > PING_AFTER_IDLE_SECONDS:
            try:
                dialect.do_ping(dbapi_connection)
            except Exception as exc:
                raise DisconnectionError(f"pooled connection did not answer a ping: {exc}") from exc


@contextmanager
def write_transaction() -> Iterator[sa.orm.Session]:
    """One writing transaction: commits on success, rolls back on any error.

    On SQLite it starts with BEGIN IMMEDIATE so the write lock is taken up front; a
    deferred read transaction that later writes can fail at once with "database is
    locked" instead of waiting. Any read transaction already open is ended first, before the
    writer queues for its turn (`sqlite_writers`), so the turn covers the write alone.

    On PostgreSQL the request's reads ran in autocommit (`configure_postgresql`); the write's first
    statement opens the transaction, which the commit here ends.
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
