"""How fast the public pages, the events API and the operators' dashboard answer with a busy programme.

    .venv/bin/python bench/events_pages.py [--events 300] [--per-event 40] [--database-url postgresql://...]

Builds N events (two thirds upcoming, one third past), each with 4 sessions, 2 hosts and
`per-event` registrations in mixed states, then times requests through the app (test client,
no network). Without --database-url a temporary SQLite file is used; against PostgreSQL use a
scratch database: its tables are dropped and recreated. Results go in docs/PERFORMANCE.md (## Events).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_ms(fn, repeat: int = 7) -> float:
    fn()  # warm-up (templates compiled, caches filled)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--per-event", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from sqlalchemy import insert

    from events_app import create_app
    from events_app.auth.services import create_user
    from events_app.config import normalise_database_url
    from events_app.database import utcnow
    from events_app.enums import EventKind, EventStatus, RegistrationStatus, SessionKind
    from events_app.events.models import Event, EventSession, Host
    from events_app.extensions import db
    from events_app.people.models import Person
    from events_app.registration.models import Registration

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": "bench-" + "x" * 40,
                      "EXPORT_DIR": tmp.name, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_user("bench@staff.example", "operator", password="bench password 123")
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        kinds = list(EventKind)
        people = [{"email": f"p{i}@bench.example", "name": f"参加者 {i}", "name_kana": "サンカシャ",
                   "affiliation": "alumni", "language": "ja"} for i in range(args.per_event)]
        db.session.execute(insert(Person), people)
        person_ids = [p.id for p in db.session.scalars(db.select(Person).order_by(Person.id))]
        statuses = [RegistrationStatus.CONFIRMED] * 6 + [RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING]
        for n in range(args.events):
            past = n % 3 == 2
            start = now + timedelta(days=(-n if past else n + 1), hours=10)
            kind = kinds[n % 4]
            in_person = kind != EventKind.WEBINAR  # the database refuses a venue or venue seats on a webinar
            event = Event(slug=f"bench-{n}", kind=kind, title=f"ベンチマーク交流会 {n}",
                          status=EventStatus.COMPLETED if past else EventStatus.PUBLISHED,
                          description="**説明** " * 40, timezone="Asia/Tokyo", starts_at=start,
                          ends_at=start + timedelta(hours=3), capacity=args.per_event if in_person else None,
                          online_capacity=100, venue_name="本社" if in_person else "", seats_taken=0)
            db.session.add(event)
            db.session.flush()
            hosts = [Host(event_id=event.id, name=f"ホスト {h}", former_department="石炭部", current_company="X社",
                          profile="プロフィール " * 10, position=h) for h in range(2)]
            db.session.add_all(hosts)
            db.session.flush()
            db.session.add_all([EventSession(event_id=event.id, kind=SessionKind.BREAKOUT, title=f"テーブル{s}",
                                             host_id=hosts[s % 2].id, starts_at=start, ends_at=start + timedelta(hours=2),
                                             capacity=10, position=s) for s in range(4)])
            rows = []
            for i, person_id in enumerate(person_ids):
                status = statuses[i % len(statuses)]
                rows.append({"event_id": event.id, "person_id": person_id, "status": status,
                             "holds_seat": status == RegistrationStatus.CONFIRMED, "manage_nonce": uuid.uuid4().hex,
                             "manage_token_hash": uuid.uuid4().hex,
                             "calendar_uid": f"{uuid.uuid4()}@bench", "language": "ja", "source": "web",
                             "checked_in_at": start if past and i % 2 else None})
            db.session.execute(insert(Registration), rows)
            event.seats_taken = sum(1 for r in rows if r["holds_seat"])
        db.session.commit()

        client = app.test_client()
        assert client.post("/login", data={"email": "bench@staff.example", "password": "bench password 123"}).status_code == 302
        slug = "bench-1"
        results = {
            "public list `/` (upcoming + 12 past)": lambda: client.get("/"),
            "public event page `/events/<slug>` (4 tables, 2 hosts)": lambda: client.get(f"/events/{slug}"),
            "`GET /api/v1/events`": lambda: client.get("/api/v1/events"),
            "`GET /api/v1/events/<slug>`": lambda: client.get(f"/api/v1/events/{slug}"),
            "operators' dashboard `/admin/` (all upcoming + 20 past, with numbers)": lambda: client.get("/admin/"),
        }
        backend = db.engine.dialect.name
        print(f"{args.events} events x {args.per_event} registrations on {backend}")
        for label, call in results.items():
            assert call().status_code == 200, label
            print(f"| {label} | {median_ms(call):.0f} ms |")


if __name__ == "__main__":
    main()
