"""A fair queue for SQLite writers across threads and gunicorn processes.

SQLite lets one writer in at a time; the others wait in its busy handler, which *sleeps* and
retries (1, 2, 5 ... 100 ms). Under a rush most of that sleep is wasted: the lock is free but
nobody is awake to take it, and throughput collapses as workers are added. Taking an
OS file lock (flock, which wakes the next waiter the moment it is released) before BEGIN
IMMEDIATE turns the contention into an orderly queue. PostgreSQL needs none of this.
"""
from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..extensions import db

_thread_lock = threading.Lock()
_files: dict[tuple[int, str], int] = {}


def enabled() -> bool:
    """On unless SQLITE_WRITER_QUEUE=0 (in the app config or the environment)."""
    from flask import current_app

    raw = current_app.config.get("SQLITE_WRITER_QUEUE", os.environ.get("SQLITE_WRITER_QUEUE", "1"))
    return str(raw).strip().lower() not in {"0", "false", "no", "off"}


def _lock_path() -> str | None:
    if not enabled():
        return None
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{os.path.abspath(database)}.writers.lock"


def _fd(path: str) -> int:
    key = (os.getpid(), path)  # a forked worker opens its own descriptor
    fd = _files.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        _files[key] = fd
    return fd


@contextmanager
def writer_turn() -> Iterator[None]:
    """Wait for this writer's turn (SQLite file databases only); a no-op elsewhere."""
    path = _lock_path()
    if path is None:
        yield
        return
    with _thread_lock:  # flock is per process: threads of one worker queue here first
        fd = _fd(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
