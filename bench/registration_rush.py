"""Registration rush: 2,000 registrations from 64 concurrent clients for 200 seats, under gunicorn.

    .venv/bin/python bench/registration_rush.py [--requests 2000] [--clients 64] [--seats 200]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_registration] [--no-postgres]

For each database (a temporary SQLite file; PostgreSQL in a scratch database that is created
when missing and whose tables are dropped and recreated) and each gunicorn worker class
(sync: 4 workers; gthread: 2 workers x 8 threads), in the same run:
- `register`: POST /api/v1/events/<slug>/registrations (the whole service: validation, Person
  upsert, conditional seat UPDATE, registration, outbox mail, audit-free public path), every
  request a different person; the first 200 must be confirmed, the rest waitlisted;
- `bare`: a bare Flask-SQLAlchemy endpoint that does one INSERT per request (the ceiling).
Both servers run side by side, each warmed first (every worker booted, then --warmup requests
on rows the count ignores), and the two phases alternate in --rounds slices of the 2,000
requests, so a noisy moment on this shared machine weighs on both alike.
Reports requests/s, p50, p99, errors (any non-2xx or connection failure; "database is locked"
would show here) and the confirmed count. Loopback only; gunicorn is stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


import sqlalchemy as sa  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column  # noqa: E402

from bench.harness import Gunicorn, Tally, load  # noqa: E402


class _BareBase(DeclarativeBase):
    pass


bare_db = SQLAlchemy(model_class=_BareBase)


class BareRegistration(bare_db.Model):
    __tablename__ = "bench_bare_registration"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))


def bare_app():
    """gunicorn 'bench.registration_rush:bare_app()': one INSERT per POST, nothing else."""
    from flask import Flask, jsonify, request

    from events_app.config import database_pool_size, normalise_database_url

    db = bare_db
    app = Flask("bare")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    # The app's pool size: with SQLAlchemy's default of 5, a threaded worker's other threads
    # would open and close a connection per request and handicap the reference.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": database_pool_size()}
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            @sa.event.listens_for(db.engine, "connect")
            def _pragmas(conn, _record):  # the same WAL + busy timeout the app uses, no more
                cur = conn.cursor()
                cur.execute("PRAGMA busy_timeout=30000")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

    @app.post("/bare")
    def insert():
        data = request.get_json()
        row = BareRegistration(email=data["email"], name=data["name"])
        db.session.add(row)
        db.session.commit()
        return jsonify({"id": row.id}), 201

    return app


def prepare_database(url: str, seats: int) -> str:
    """Fresh schema, the measured event with `seats` seats and an open `warmup` event; returns the slug."""
    from datetime import timedelta

    from events_app import create_app
    from events_app.database import utcnow
    from events_app.enums import EventKind, EventStatus
    from events_app.events.models import Event
    from events_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS bench_bare_registration")
        db.create_all()
        starts = utcnow() + timedelta(days=30)
        for slug, capacity in (("rush", seats), ("warmup", None)):
            db.session.add(Event(slug=slug, kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED, title=slug,
                                 starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity,
                                 audience_alumni=True, audience_employees=True, audience_guests=True))
        db.session.commit()
        bare = bare_app_for(url)
        with bare.app_context():
            bare_db.create_all()
            bare_db.engine.dispose()
        db.engine.dispose()
    return "rush"


def bare_app_for(url: str):
    os.environ["DATABASE_URL"] = url
    return bare_app()


def count_confirmed(url: str, slug: str) -> tuple[int, int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        event_id = conn.execute(sa.text("SELECT id FROM event WHERE slug = :s"), {"s": slug}).scalar()
        confirmed = conn.execute(sa.text("SELECT count(*) FROM registration WHERE status = 'confirmed' "
                                         "AND event_id = :e"), {"e": event_id}).scalar()
        total = conn.execute(sa.text("SELECT count(*) FROM registration WHERE event_id = :e"), {"e": event_id}).scalar()
        taken = conn.execute(sa.text("SELECT seats_taken FROM event WHERE id = :e"), {"e": event_id}).scalar()
    engine.dispose()
    return int(confirmed), int(total), int(taken)


def registration_request(path: str, prefix: str):
    def request_for(_client: int, n: int):
        body = json.dumps({"name": f"参加者 {n}", "name_kana": "サンカシャ", "email": f"{prefix}{n}@rush.example",
                           "affiliation": "alumni", "consent": True})
        return "POST", path, body, {"Content-Type": "application/json"}
    return request_for


def ensure_postgres_database(url: str) -> bool:
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except psycopg.Error as err:
        print(f"PostgreSQL unavailable ({err}); skipping it", file=sys.stderr)
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=4, help="bare and register phases alternate this many times")
    parser.add_argument("--warmup", type=int, default=256, help="requests per server before measuring")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_registration")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--workers", default="sync,gthread")
    args = parser.parse_args()

    from events_app.config import normalise_database_url

    tmp = tempfile.TemporaryDirectory(prefix="rush-")
    databases = [("SQLite", f"sqlite:///{tmp.name}/rush.sqlite3")]
    if not args.no_postgres and ensure_postgres_database(args.database_url):
        databases.append(("PostgreSQL", normalise_database_url(args.database_url)))

    rows = []
    for db_name, url in databases:
        for worker in args.workers.split(","):
            slug = prepare_database(url, args.seats)
            env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0", "MAIL_SERVER": "",
                   "BASE_URL": "http://127.0.0.1", "TSUNAGU_ENV": "development"}
            with Gunicorn("bench.registration_rush:bare_app()", worker, env) as bare_server, \
                    Gunicorn("wsgi:app", worker, env) as app_server:
                # Warm both (statement caches, catalogues, connection pools) on rows the count ignores.
                load(bare_server.port, args.clients, registration_request("/bare", "warm-"), requests=args.warmup)
                load(app_server.port, args.clients,
                     registration_request("/api/v1/events/warmup/registrations", "warm-"), requests=args.warmup)
                # Interleaved: the machine's mood moves both endpoints alike, not one of them.
                bare, reg = Tally(), Tally()
                chunk = -(-args.requests // args.rounds)
                for start in range(0, args.requests, chunk):
                    size = min(chunk, args.requests - start)
                    load(bare_server.port, args.clients, registration_request("/bare", f"bare-{worker}-"),
                         tally=bare, requests=size, first=start)
                    load(app_server.port, args.clients,
                         registration_request(f"/api/v1/events/{slug}/registrations", f"reg-{worker}-"),
                         tally=reg, requests=size, first=start)
            reg, bare = reg.summary(), bare.summary()
            confirmed, total, taken = count_confirmed(url, slug)
            ratio = reg["rps"] / bare["rps"] if bare["rps"] else 0
            rows.append((db_name, worker, reg, bare, confirmed, total, taken, ratio))
            print(f"{db_name:10} {worker:8} register {reg['rps']:7.1f}/s p50 {reg['p50']:6.1f} ms "
                  f"p99 {reg['p99']:7.1f} ms errors {reg['errors']} | bare {bare['rps']:7.1f}/s "
                  f"p50 {bare['p50']:6.1f} p99 {bare['p99']:7.1f} errors {bare['errors']} | "
                  f"confirmed {confirmed}/{args.seats} of {total}, seats_taken {taken}, ratio {ratio:.0%}",
                  flush=True)
            for sample in reg["error_samples"] + bare["error_samples"]:
                print("   error sample:", sample, flush=True)

    print()
    print("| database | workers | registrations/s | p50 | p99 | errors | confirmed | bare INSERT/s | bare p50 | bare p99 | bare errors | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for db_name, worker, reg, bare, confirmed, total, taken, ratio in rows:
        print(f"| {db_name} | {worker} | {reg['rps']:.0f} | {reg['p50']:.0f} ms | {reg['p99']:.0f} ms | "
              f"{reg['errors']} | {confirmed} of {total} | {bare['rps']:.0f} | {bare['p50']:.0f} ms | "
              f"{bare['p99']:.0f} ms | {bare['errors']} | {ratio:.0%} |")
    tmp.cleanup()
    ok = all(r[2]["errors"] == 0 and r[3]["errors"] == 0 and r[4] == args.seats and r[6] == args.seats
             and r[5] == args.requests for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
