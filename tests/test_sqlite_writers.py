"""The SQLite writer queue (events_app/sqlite_writers.py): one writer at a time, across threads
and processes, re-entrant within a thread, and never in the way of PostgreSQL."""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest

from events_app import sqlite_writers
from events_app.sqlite_writers import lock_path, mode, writer_turn

# Tries the flock without waiting, from another process: prints "busy" or "free".
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("busy")
"""


def probe(path: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_setting_is_read_leniently():
    assert mode(None) == "auto" and mode("auto") == "auto" and mode("nonsense") == "auto"
    assert mode("1") == mode("ON") == mode("always") == "always"
    assert mode("0") == mode("off") == mode(" False ") == "off"


def test_no_lock_file_for_in_memory_or_uri_databases(tmp_path):
    assert lock_path(None) is None and lock_path(":memory:") is None
    assert lock_path("file:x?mode=memory") is None
    assert lock_path(str(tmp_path / "db.sqlite3")) == str(tmp_path / "db.sqlite3") + ".writers.lock"


def test_always_holds_the_file_lock_against_other_processes_until_the_turn_ends(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    path = lock_path(database)
    with writer_turn(database, "always"):
        assert probe(path) == "busy"
        with writer_turn(database, "always"):  # a nested turn is the same turn, not a deadlock
            assert probe(path) == "busy"
        assert probe(path) == "busy"
    assert probe(path) == "free"


def test_auto_skips_the_file_lock_in_a_single_threaded_process(tmp_path, monkeypatch):
    database = str(tmp_path / "db.sqlite3")
    monkeypatch.setattr(sqlite_writers.threading, "active_count", lambda: 1)
    with writer_turn(database, "auto"):
        assert probe(lock_path(database)) == "free"
    monkeypatch.setattr(sqlite_writers.threading, "active_count", lambda: 9)
    with writer_turn(database, "auto"):
        assert probe(lock_path(database)) == "busy"


def test_off_takes_no_lock_at_all(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    with writer_turn(database, "off"):
        assert probe(lock_path(database)) == "free"
        # ... and another thread is not held back either.
        entered = threading.Event()

        def enter():
            with writer_turn(database, "off"):
                entered.set()

        t = threading.Thread(target=enter)
        t.start()
        t.join(5)
        assert entered.is_set()


def test_threads_take_turns_one_at_a_time(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    inside, most, lock = [0], [0], threading.Lock()

    def writer():
        for _ in range(20):
            with writer_turn(database, "auto"):
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.0005)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most[0] == 1 and inside[0] == 0


def test_an_error_inside_the_turn_releases_it(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError):
        with writer_turn(database, "always"):
            raise RuntimeError("boom")
    assert probe(lock_path(database)) == "free"
    with writer_turn(database, "always"):  # and the thread lock is free again too
        pass


def test_a_read_only_directory_falls_back_to_the_thread_lock(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(sqlite_writers.os, "open", refuse)
    with writer_turn(str(tmp_path / "ro" / "db.sqlite3"), "always"):
        pass
    assert not os.path.exists(tmp_path / "ro")


def test_the_descriptor_is_opened_once_per_process(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    with writer_turn(database, "always"):
        pass
    fd = sqlite_writers._descriptors[(os.getpid(), lock_path(database))]
    with writer_turn(database, "always"):
        pass
    assert sqlite_writers._descriptors[(os.getpid(), lock_path(database))] == fd
    assert fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
