"""The admission's transaction: queued with every other SQLite writer, or continued on PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager

from ..database import is_sqlite, write_transaction
from ..extensions import db


@contextmanager
def _door_write():
    if is_sqlite():
        # BEGIN IMMEDIATE, queued with every other writer (events_app/sqlite_writers.py): a busy
        # door's writers are woken in turn instead of sleeping in SQLite's busy handler.
        with write_transaction() as session:
            yield session
    else:
        # PostgreSQL: the scan's reads ran in the request's READ COMMITTED transaction; the
        # admission continues in it instead of COMMIT + BEGIN (two round trips). The conditional
        # UPDATE re-reads the row under its lock, so what decides is the same.
        session = db.session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
