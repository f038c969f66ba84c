"""Each process keeps as many database connections as its threads use at once."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from events_app import create_app
from events_app.config import DEFAULT_DATABASE_POOL_SIZE, ConfigError
from events_app.extensions import db

THREADS = 8  # bench/checkin.py's gthread workers: 2 x 8 threads


def test_a_threaded_workers_connections_are_opened_once_and_kept(app):
    """Eight threads holding a connection at once, ten times over, open eight connections in all.

    With SQLAlchemy's default pool of five, the three beyond it were opened and closed again in
    every round (a new PostgreSQL backend each time): 35 connections for these ten rounds."""
    db.session.remove()
    engine = db.engine  # the threads have no app context of their own
    engine.dispose()
    opened = []
    sa.event.listen(engine, "connect", lambda *_args: opened.append(threading.get_ident()))
    all_holding = threading.Barrier(THREADS)
    failures = []

    def request_after_request():
        try:
            for _round in range(10):
                with engine.connect() as conn:
                    assert conn.execute(sa.text("SELECT 1")).scalar() == 1
                    all_holding.wait(timeout=20)
                all_holding.wait(timeout=20)  # every connection is back before the next round
        except Exception as exc:  # reported below: an assert in a thread would be lost
            failures.append(exc)

    threads = [threading.Thread(target=request_after_request) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert len(opened) == THREADS
    assert engine.pool.checkedin() == THREADS


def test_the_pool_size_is_a_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
    monkeypatch.delenv("DATABASE_POOL_SIZE", raising=False)
    app = create_app({"EXPORT_DIR": str(tmp_path / "exports")})
    with app.app_context():
        assert db.engine.pool.size() == DEFAULT_DATABASE_POOL_SIZE >= THREADS
    monkeypatch.setenv("DATABASE_POOL_SIZE", " 24 ")
    app = create_app({"EXPORT_DIR": str(tmp_path / "exports")})
    with app.app_context():
        assert db.engine.pool.size() == 24


@pytest.mark.parametrize("given", ["0", "-3", "ten", "2.5"])
def test_a_pool_size_that_is_not_a_positive_number_is_refused_by_name(monkeypatch, tmp_path, given):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
    monkeypatch.setenv("DATABASE_POOL_SIZE", given)
    with pytest.raises(ConfigError, match=rf"DATABASE_POOL_SIZE must be a whole number .*\(got '{given}'\)"):
        create_app({"EXPORT_DIR": str(tmp_path / "exports")})


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_starts_without_a_pool_size(monkeypatch, tmp_path, url):
    """An in-memory database is one shared connection (StaticPool), which takes no pool size: the
    pool setting made create_engine refuse it with a TypeError."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
    app = create_app({"EXPORT_DIR": str(tmp_path / "exports")})
    with app.app_context():
        db.create_all()
        assert isinstance(db.engine.pool, sa.pool.StaticPool)
        assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
