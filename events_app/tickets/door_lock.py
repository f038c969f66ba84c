"""Ordering the door's SQLite writers: one writer at a time, woken the moment the last one commits."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's busy handler alone
    fcntl = None

from ..database import is_sqlite, write_transaction
from ..extensions import db

# SQLite has one writer at a time and makes the others poll with growing sleeps (busy_timeout),
# which at a busy door turns 2 ms check-ins into 100 ms ones. Threads of one process queue
# here instead, on a lock that wakes the next one the moment the write commits.
# Several gunicorn workers (processes) share the file too, and between processes SQLite's busy
# handler sleeps 1, 2, 5, 10 ... 100 ms: under 16 scanners that sleep was most of the p99. So
# writers also take an exclusive flock on a file beside the database, which the kernel hands to
# the next waiter the moment it is released. It only orders writers; BEGIN IMMEDIATE and the
# conditional UPDATE still decide, and no state is kept in memory.
_SQLITE_WRITERS = threading.Lock()


def _lock_path(database: str | None) -> str | None:
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + ".door-lock"


@contextmanager
def _door_write():
    if is_sqlite():
        with _SQLITE_WRITERS:
            # Opened per write (microseconds): no descriptor is shared across a fork or kept open.
            path, fd = _lock_path(db.engine.url.database), None
            if path is not None:
                try:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                except OSError:  # a read-only directory: SQLite's own busy handler alone
                    fd = None
            try:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                with write_transaction() as session:
                    yield session
            finally:
                if fd is not None:
                    os.close(fd)  # releases the flock
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
