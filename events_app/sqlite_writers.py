"""Queueing SQLite writers: one writer at a time, and the next one woken the moment it may go.

SQLite lets one writer in at a time and makes the others wait in its busy handler, which
*sleeps* between tries (1, 2, 5 … 100 ms). `write_transaction()` therefore takes a turn here
before `BEGIN IMMEDIATE` (SQLite file databases only; PostgreSQL needs none of this):

- threads of one worker process queue on a lock, so a writer thread never sleeps in the busy
  handler while its siblings wait behind it;
- in a multi-threaded process (gunicorn gthread) the writer also takes an exclusive `flock` of a
  file beside the database, which the kernel hands over the moment it is released, so writers of
  *other* processes do not sleep either. Single-threaded processes (gunicorn sync) skip it: there
  the busy handler's own retries measured faster (bench/registration_rush.py, docs/PERFORMANCE.md),
  because each process only ever makes itself wait.

It only orders writers: `BEGIN IMMEDIATE`, conditional UPDATEs and unique indexes still decide,
and nothing is kept in memory between requests. `SQLITE_WRITER_QUEUE` = `auto` (the default, as
above), `1` (always take the file lock as well) or `0` (SQLite's busy handler alone).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # not on Windows: the thread lock and SQLite's busy handler
    fcntl = None

_thread_lock = threading.Lock()
_local = threading.local()  # per-thread nesting depth: a turn taken inside a turn is the same turn
_descriptors: dict[tuple[int, str], int] = {}
_MODES = {"auto": "auto", "1": "always", "true": "always", "on": "always", "yes": "always",
          "always": "always", "0": "off", "false": "off", "off": "off", "no": "off"}


def mode(setting: str | None) -> str:
    """`auto`, `always` or `off` from the SQLITE_WRITER_QUEUE setting."""
    return _MODES.get(str(setting if setting is not None else "auto").strip().lower(), "auto")


def lock_path(database: str | None) -> str | None:
    """The flock file beside a SQLite database file; None for in-memory and URI databases."""
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{os.path.abspath(database)}.writers.lock"


def _descriptor(path: str) -> int:
    key = (os.getpid(), path)  # a forked worker opens its own descriptor (flock is per open file)
    fd = _descriptors.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        _descriptors[key] = fd
    return fd


@contextmanager
def writer_turn(database: str | None, setting: str | None = "auto") -> Iterator[None]:
    """Wait for this writer's turn on the SQLite file `database`; re-entrant within a thread."""
    how = mode(setting)
    if how == "off" or getattr(_local, "depth", 0):
        _local.depth = getattr(_local, "depth", 0) + 1
        try:
            yield
        finally:
            _local.depth -= 1
        return
    with _thread_lock:
        path = lock_path(database) if (how == "always" or threading.active_count() > 1) else None
        fd = None
        if path is not None:
            try:
                fd = _descriptor(path)
            except OSError:  # a read-only directory: the thread lock and SQLite's busy handler
                fd = None
        _local.depth = 1
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _local.depth = 0
