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
Reports requests/s, p50, p99, errors (any non-2xx or connection failure; "database is locked"
would show here) and the confirmed count. Loopback only, bounded: every phase stops after
its requests (or --max-seconds), gunicorn is stopped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
WORKERS = {"sync": ["--workers", "4"], "gthread": ["--workers", "2", "--threads", "8", "--worker-class", "gthread"]}


import sqlalchemy as sa  # noqa: E402
from flask_sqlalchemy import SQLAlchemy  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column  # noqa: E402


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

    from events_app.config import normalise_database_url

    db = bare_db
    app = Flask("bare")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(url: str, seats: int) -> str:
    """Fresh schema, one published event with `seats` seats; returns its slug."""
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
        db.session.add(Event(slug="rush", kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED, title="Rush",
                             starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=seats,
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


def count_confirmed(url: str) -> tuple[int, int, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        confirmed = conn.execute(sa.text("SELECT count(*) FROM registration WHERE status = 'confirmed'")).scalar()
        total = conn.execute(sa.text("SELECT count(*) FROM registration")).scalar()
        taken = conn.execute(sa.text("SELECT seats_taken FROM event WHERE slug = 'rush'")).scalar()
    engine.dispose()
    return int(confirmed), int(total), int(taken)


class Server:
    def __init__(self, target: str, worker: str, url: str):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "0",
               "MAIL_SERVER": "", "BASE_URL": f"http://127.0.0.1:{self.port}", "TSUNAGU_ENV": "development"}
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{self.port}", *WORKERS[worker],
             "--log-level", "warning", "--timeout", "60", target],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()[-2000:])
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def rush(port: int, path: str, requests: int, clients: int, max_seconds: float, prefix: str) -> dict:
    """`clients` keep-alive connections share `requests` POSTs; returns throughput and latencies."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                n = state["next"]
                if n >= requests:
                    break
                state["next"] += 1
            body = json.dumps({"name": f"参加者 {n}", "name_kana": "サンカシャ", "email": f"{prefix}{n}@rush.example",
                               "affiliation": "alumni", "consent": True})
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                if response.status not in (200, 201):
                    with lock:
                        errors.append(f"{response.status} {payload[:120]!r}")
            except (OSError, http.client.HTTPException) as err:
                with lock:
                    errors.append(type(err).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + 60)
    elapsed = time.perf_counter() - started
    latencies.sort()
    done = len(latencies)
    return {
        "requests": done + len(errors), "ok": done, "errors": len(errors), "error_samples": errors[:3],
        "per_second": done / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": latencies[min(int(done * 0.99), done - 1)] * 1000 if latencies else 0.0,
    }


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
    parser.add_argument("--max-seconds", type=float, default=300)
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
            results = {}
            for phase, target, path in (("bare", "bench.registration_rush:bare_app()", "/bare"),
                                        ("register", "wsgi:app", f"/api/v1/events/{slug}/registrations")):
                server = Server(target, worker, url)
                try:
                    results[phase] = rush(server.port, path, args.requests, args.clients, args.max_seconds,
                                          prefix=f"{phase}-{worker}-")
                finally:
                    server.stop()
            confirmed, total, taken = count_confirmed(url)
            reg, bare = results["register"], results["bare"]
            ratio = reg["per_second"] / bare["per_second"] if bare["per_second"] else 0
            rows.append((db_name, worker, reg, bare, confirmed, total, taken, ratio))
            print(f"{db_name:10} {worker:8} register {reg['per_second']:7.1f}/s p50 {reg['p50_ms']:6.1f} ms "
                  f"p99 {reg['p99_ms']:7.1f} ms errors {reg['errors']} | bare {bare['per_second']:7.1f}/s "
                  f"p50 {bare['p50_ms']:6.1f} p99 {bare['p99_ms']:7.1f} errors {bare['errors']} | "
                  f"confirmed {confirmed}/{args.seats} of {total}, seats_taken {taken}, ratio {ratio:.0%}",
                  flush=True)
            for sample in reg["error_samples"] + bare["error_samples"]:
                print("   error sample:", sample, flush=True)

    print()
    print("| database | workers | registrations/s | p50 | p99 | errors | confirmed | bare INSERT/s | bare p50 | bare p99 | bare errors | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for db_name, worker, reg, bare, confirmed, total, taken, ratio in rows:
        print(f"| {db_name} | {worker} | {reg['per_second']:.0f} | {reg['p50_ms']:.0f} ms | {reg['p99_ms']:.0f} ms | "
              f"{reg['errors']} | {confirmed} of {total} | {bare['per_second']:.0f} | {bare['p50_ms']:.0f} ms | "
              f"{bare['p99_ms']:.0f} ms | {bare['errors']} | {ratio:.0%} |")
    tmp.cleanup()
    ok = all(r[2]["errors"] == 0 and r[4] == args.seats and r[6] == args.seats for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
