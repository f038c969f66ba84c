"""Door check-in under load: 16 concurrent scanners against gunicorn, beside a hello-world endpoint.

    .venv/bin/python bench/checkin.py [--seconds 5] [--scanners 16] [--database-url postgresql://...]

For each database (a temporary SQLite file, and PostgreSQL when --database-url is given: a
scratch database whose tables are dropped and recreated) and each gunicorn worker class
(sync: 4 workers; gthread: 2 workers x 8 threads), it measures, in the same run:
- `hello`: GET of a one-line Flask endpoint (the ceiling of this stack on this machine);
- `distinct`: POST /api/v1/checkin with a different ticket each time (every answer `ok`);
- `repeat`: the same few tickets scanned again and again (every answer `already_checked_in`);
- `distinct, 1 scanner`: one scanner alone, i.e. the service time without queueing;
- `floor`: a one-route Flask-SQLAlchemy app with the app's engine settings that looks a ticket up
  by its id with one SELECT (the same join of ticket, registration and person) and answers JSON:
  no token, no signature, no admission. What any scan costs on this stack before our own work;
- `floor, driver`: the same SELECT sent by each thread on its own psycopg or sqlite3 connection
  (autocommit, no SQLAlchemy at request time): the cost of Flask and the database alone;
- `floor, write` and `floor, write, driver`: the same two apps, each request one UPDATE of a ticket's
  registration row (a different row each time, as a new admission writes) committed by itself:
  the least a new admission can cost on this stack, with and without SQLAlchemy.
All four servers run side by side, every worker booted and warmed before measuring, and the
phases alternate in --rounds slices of --seconds, so a noisy moment on this shared machine
weighs on all of them alike. Loopback only; gunicorn is stopped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

from bench.harness import Gunicorn, Tally, load  # noqa: E402


def hello_app():
    """The hello-world baseline: gunicorn 'bench.checkin:hello_app()'."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/hello")
    def hello():
        return "hello"
    return app


def _floor_lookup():
    import sqlalchemy as sa

    from events_app.people.models import Person
    from events_app.registration.models import Registration
    from events_app.tickets.models import Ticket

    return (sa.select(Registration.id, Registration.status, Registration.checked_in_at, Person.name,
                      Person.company).select_from(Ticket)
            .join(Registration, Ticket.registration_id == Registration.id)
            .join(Person, Registration.person_id == Person.id)
            .where(Ticket.code_id == sa.bindparam("code_id")))


def _floor_write():
    """The least a write can be: one UPDATE of the ticket's registration row (its `updated_at`,
    which no scan reads, so the app's own admissions are not disturbed), returning the row's id,
    status and check-in time (SQLite's RETURNING sees the updated table only). One statement,
    committed by itself."""
    import sqlalchemy as sa

    from events_app.registration.models import Registration
    from events_app.tickets.models import Ticket

    ticket = sa.select(Ticket.registration_id).where(Ticket.code_id == sa.bindparam("code_id")).scalar_subquery()
    return (sa.update(Registration).where(Registration.id == ticket).values(updated_at=sa.bindparam("now"))
            .returning(Registration.id, Registration.status, Registration.checked_in_at))


def _floor_json(rid, status, checked_in_at, name=None, company=None) -> dict:
    return {"id": rid, "status": status, "name": name, "company": company,
            "checked_in_at": checked_in_at.isoformat() if hasattr(checked_in_at, "isoformat") else checked_in_at}


def _sqlite_like_the_app(dbapi_connection, _record=None):
    """The app's SQLite settings that bear on speed (events_app.database.configure_sqlite): WAL is
    the file's own (set when the app made it); a commit waits for no fsync (synchronous=NORMAL)."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    dbapi_connection.execute("PRAGMA busy_timeout=30000")


def floor_app():
    """The floor: gunicorn 'bench.checkin:floor_app()'. POST {"code_id"} -> one SELECT -> JSON."""
    from flask import Flask, jsonify, request
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import event as sa_event

    from events_app.config import database_pool_size, normalise_database_url

    app = Flask("floor")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    # The app's engine settings: its pool size, and reads in autocommit on PostgreSQL (create_app).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": database_pool_size()}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]["isolation_level"] = "AUTOCOMMIT"
    db = SQLAlchemy(app)
    lookup, write = _floor_lookup(), _floor_write()
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        with app.app_context():
            sa_event.listen(db.engine, "connect", _sqlite_like_the_app)

    @app.post("/floor")
    def floor():
        row = db.session.execute(lookup, {"code_id": request.get_json()["code_id"]}).first()
        return jsonify(_floor_json(*row))

    @app.post("/floor/write")
    def floor_write():
        row = db.session.execute(write, {"code_id": request.get_json()["code_id"],
                                         "now": datetime.now(timezone.utc)}).first()
        db.session.commit()
        return jsonify(_floor_json(*row))
    return app


def floor_driver_app():
    """gunicorn 'bench.checkin:floor_driver_app()': floor_app's SELECT on each thread's own connection."""
    import sqlite3
    import threading

    import psycopg
    from flask import Flask, jsonify, request
    from sqlalchemy.dialects import postgresql, sqlite

    url = os.environ["DATABASE_URL"]
    on_postgresql = url.startswith("postgres")
    dialect = postgresql.dialect(paramstyle="pyformat") if on_postgresql else sqlite.dialect(paramstyle="named")
    sql = str(_floor_lookup().compile(dialect=dialect))
    write_sql = str(_floor_write().compile(dialect=dialect))
    local = threading.local()

    def connection():
        if getattr(local, "connection", None) is None:
            if on_postgresql:
                local.connection = psycopg.connect(url, autocommit=True)
            else:
                local.connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None,
                                                   check_same_thread=False)
                _sqlite_like_the_app(local.connection)
        return local.connection

    app = Flask("floor-driver")

    @app.post("/floor")
    def floor():
        cursor = connection().cursor()
        cursor.execute(sql, {"code_id": request.get_json()["code_id"]})
        return jsonify(_floor_json(*cursor.fetchone()))

    @app.post("/floor/write")
    def floor_write():
        # Autocommit: the UPDATE is its own transaction (SQLite: waits on the busy timeout).
        cursor = connection().cursor()
        now = datetime.now(timezone.utc)
        cursor.execute(write_sql, {"code_id": request.get_json()["code_id"],
                                   "now": now if on_postgresql else now.isoformat(sep=" ")})
        return jsonify(_floor_json(*cursor.fetchone()))
    return app


def prepare(database_url: str, tickets: int) -> tuple[str, list[str], list[str]]:
    """Fresh schema, one event with `tickets` confirmed registrations; returns (token, codes, ids)."""
    import sqlalchemy as sa

    from events_app import create_app
    from events_app.auth.services import create_token, create_user
    from events_app.config import normalise_database_url
    from events_app.database import utcnow
    from events_app.enums import Affiliation, EventKind, EventStatus, RegistrationStatus
    from events_app.events.models import Event
    from events_app.extensions import db
    from events_app.people.models import Person
    from events_app.registration.models import Registration
    from events_app.tickets import codes
    from events_app.tickets.models import Ticket

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url), "SECRET_KEY": SECRET,
                      "TESTING": True, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        now = utcnow()
        event = Event(slug="bench", kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED, title="負荷試験",
                      starts_at=now, ends_at=now.replace(year=now.year + 1), capacity=None)
        db.session.add(event)
        db.session.commit()
        people = [{"email": f"p{i}@bench.example", "name": f"参加者 {i}", "name_kana": f"サンカシャ {i}",
                   "affiliation": Affiliation.ALUMNI, "company": "株式会社ベンチ", "created_at": now,
                   "updated_at": now} for i in range(tickets)]
        db.session.execute(sa.insert(Person), people)
        person_ids = db.session.scalars(sa.select(Person.id).order_by(Person.id)).all()
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "person_id": pid, "status": RegistrationStatus.CONFIRMED,
             "manage_nonce": uuid.uuid4().hex, "manage_token_hash": uuid.uuid4().hex,
             "calendar_uid": f"{uuid.uuid4()}@bench", "confirmed_at": now, "created_at": now, "updated_at": now,
             "holds_seat": True} for pid in person_ids])
        reg_ids = db.session.scalars(sa.select(Registration.id).order_by(Registration.id)).all()
        code_ids = [codes.new_code_id() for _ in reg_ids]
        db.session.execute(sa.insert(Ticket), [{"registration_id": r, "code_id": c, "issued_at": now}
                                              for r, c in zip(reg_ids, code_ids)])
        db.session.commit()
        create_user("door@bench.example", "operator", password="benchmark-password", name="受付")
        token = create_token("door@bench.example")
        urls = [codes.ticket_url(codes.code_for(c)) for c in code_ids]
        db.session.remove()
        db.engine.dispose()
    return token, urls, code_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per phase, split over --rounds")
    parser.add_argument("--rounds", type=int, default=5, help="hello, distinct and repeat alternate this many times")
    parser.add_argument("--scanners", type=int, default=16)
    parser.add_argument("--tickets", type=int, default=24000)
    parser.add_argument("--database-url", default="", help="a scratch PostgreSQL database (tables are dropped)")
    parser.add_argument("--workers", default="sync,gthread", help="comma-separated: sync (4), gthread (2 x 8 threads), "
                        "gthread4x4 (the README's production line)")
    args = parser.parse_args()

    databases = []
    tmp = tempfile.TemporaryDirectory()
    databases.append(("SQLite", f"sqlite:///{tmp.name}/bench.sqlite3"))
    if args.database_url:
        databases.append(("PostgreSQL", args.database_url))

    rows = []
    for db_name, url in databases:
        for worker in args.workers.split(","):
            token, urls, code_ids = prepare(url, args.tickets)
            env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "false",
                   "BASE_URL": "http://localhost", "TSUNAGU_ENV": "development"}
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            repeated, fresh = urls[-4:], urls[:-4]
            # The lone scanner gets a quarter of the tickets (it runs alone, for up to 3 s, at
            # its own pace); the 16 share the rest. A scanner that runs out starts its slice
            # again, and those scans show as already_checked_in in the results column.
            solo = len(fresh) // 4
            per_thread = (len(fresh) - solo) // args.scanners
            used = [0] * (args.scanners + 1)  # tickets each scanner has used, across rounds

            def distinct(i, _n):
                if i == args.scanners:  # the lone scanner
                    code = fresh[-solo + used[i] % solo]
                else:
                    code = fresh[i * per_thread + used[i] % per_thread]
                used[i] += 1
                return "POST", "/api/v1/checkin", json.dumps({"code": code, "event": "bench"}), headers

            def repeat(i, _n):
                return "POST", "/api/v1/checkin", json.dumps({"code": repeated[i % 4], "event": "bench"}), headers

            def hello(_i, _n):
                return "GET", "/hello", None, {}

            def floor(i, _n):
                return "POST", "/floor", json.dumps({"code_id": code_ids[-1 - i % 4]}), {"Content-Type": "application/json"}

            def floor_write(i, n):
                # Each scanner walks its own rows, as distinct admissions do.
                return ("POST", "/floor/write", json.dumps({"code_id": code_ids[(i * per_thread + n) % len(code_ids)]}),
                        {"Content-Type": "application/json"})

            with Gunicorn("bench.checkin:hello_app()", worker, env) as hello_server, \
                    Gunicorn("bench.checkin:floor_app()", worker, env) as floor_server, \
                    Gunicorn("bench.checkin:floor_driver_app()", worker, env) as driver_server, \
                    Gunicorn("wsgi:app", worker, env) as app_server:
                # Warm both (every worker has booted; now its caches and pools) before measuring;
                # this also admits the four repeat tickets.
                load(hello_server.port, args.scanners, hello, seconds=1.0)
                load(floor_server.port, args.scanners, floor, seconds=1.0)
                load(driver_server.port, args.scanners, floor, seconds=1.0)
                load(app_server.port, args.scanners, repeat, seconds=1.0)
                # Interleaved rounds: the machine's mood weighs on every endpoint alike.
                load(floor_server.port, args.scanners, floor_write, seconds=0.5)
                load(driver_server.port, args.scanners, floor_write, seconds=0.5)
                tallies = {name: Tally() for name in ("hello-world", "floor", "floor, driver", "floor, write",
                                                      "floor, write, driver", "distinct", "repeat")}
                for _round in range(args.rounds):
                    slot = args.seconds / args.rounds
                    load(hello_server.port, args.scanners, hello, tally=tallies["hello-world"], seconds=slot)
                    load(floor_server.port, args.scanners, floor, tally=tallies["floor"], seconds=slot)
                    load(driver_server.port, args.scanners, floor, tally=tallies["floor, driver"], seconds=slot)
                    load(floor_server.port, args.scanners, floor_write, tally=tallies["floor, write"], seconds=slot)
                    load(driver_server.port, args.scanners, floor_write, tally=tallies["floor, write, driver"],
                         seconds=slot)
                    load(app_server.port, args.scanners, distinct, tally=tallies["distinct"], seconds=slot)
                    load(app_server.port, args.scanners, repeat, tally=tallies["repeat"], seconds=slot)
                # One scanner alone: the service time without queueing behind 15 others.
                tallies["distinct, 1 scanner"] = load(app_server.port, 1, lambda i, n: distinct(args.scanners, n),
                                                      seconds=min(args.seconds, 3))
            base = tallies["hello-world"].summary()
            for name, tally in tallies.items():
                m = tally.summary()
                rows.append((db_name, worker, name, m, m["rps"] / base["rps"] if base["rps"] else 0))
            for r in rows[-len(tallies):]:
                print(f"{r[0]:<10} {r[1]:<7} {r[2]:<22} {r[3]['rps']:8.0f}/s  p50 {r[3]['p50']:6.1f} ms  "
                      f"p99 {r[3]['p99']:6.1f} ms  errors {r[3]['errors']}  {r[4] * 100:5.0f}% of hello  "
                      f"{r[3]['results']}", flush=True)

    print("\n| database | workers | endpoint | requests/s | p50 | p99 | errors | vs hello-world |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for db_name, worker, name, m, ratio in rows:
        print(f"| {db_name} | {worker} | {name} | {m['rps']:.0f} | {m['p50']:.1f} ms | {m['p99']:.1f} ms | "
              f"{m['errors']} | {ratio * 100:.0f}% |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
