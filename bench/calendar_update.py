"""How long an operator waits when a big event changes or is cancelled, and how fast .ics files build.

    .venv/bin/python bench/calendar_update.py [--attendees 2000] [--database-url postgresql://...]

Without --database-url a temporary SQLite file is used. Against PostgreSQL, use a scratch
database: its tables are dropped and recreated. Results go in docs/PERFORMANCE.md (## Calendar).
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

import sqlalchemy as sa  # noqa: E402


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    from events_app import create_app
    from events_app.auth.services import create_user
    from events_app.calendar import services as calendar
    from events_app.config import normalise_database_url
    from events_app.database import utcnow
    from events_app.enums import Affiliation, EventKind, EventStatus, RegistrationStatus
    from events_app.events import services as events
    from events_app.events.models import Event
    from events_app.extensions import db
    from events_app.mail.models import OutboxMessage
    from events_app.people.models import Person
    from events_app.registration.models import Registration

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": "bench-" + "x" * 40,
                      "EXPORT_DIR": tmp.name, "BASE_URL": "https://tsunagu.example", "MAIL_SERVER": ""})
    with app.app_context():
        db.drop_all()
        db.create_all()
        operator, _ = create_user("bench@staff.example", "operator", password="bench password 123", name="Bench")
        now = utcnow()
        starts = (now + timedelta(days=30)).replace(microsecond=0)
        event = Event(slug="bench", kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED, title="ベンチマーク交流会",
                      timezone="Asia/Tokyo", starts_at=starts, ends_at=starts + timedelta(hours=2),
                      venue_name="本社 20階 ホール", venue_address="東京都千代田区丸の内1-1-1", capacity=None,
                      published_at=now)
        db.session.add(event)
        db.session.commit()
        n = args.attendees
        db.session.execute(sa.insert(Person), [
            {"email": f"a{i}@example.jp", "name": f"参加者 {i}", "affiliation": Affiliation.ALUMNI, "language": "ja",
             "created_at": now, "updated_at": now} for i in range(n)])
        ids = db.session.scalars(sa.select(Person.id)).all()
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "person_id": pid, "status": RegistrationStatus.CONFIRMED, "manage_nonce": f"n{pid}",
             "manage_token_hash": uuid.uuid4().hex, "calendar_uid": f"{uuid.uuid4()}@tsunagu", "language": "ja",
             "confirmed_at": now, "invite_sent_at": now, "created_at": now, "updated_at": now} for pid in ids])
        db.session.commit()
        event_id = event.id

        rows = []
        for round_ in range(3):
            shift = timedelta(hours=round_ + 1)
            seconds, _ = timed(lambda: events.update_event(
                event_id, {"starts_at": starts + shift, "ends_at": starts + shift + timedelta(hours=2)}, actor=operator))
            rows.append(seconds)
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        assert queued == 3 * n, queued
        cosmetic, _ = timed(lambda: events.update_event(event_id, {"description": "説明だけ変更"}, actor=operator))

        registration = db.session.scalar(sa.select(Registration).limit(1))
        one_invite, data = timed(lambda: calendar.invite_document(registration), repeat=50)

        for i in range(199):
            db.session.add(Event(slug=f"feed-{i}", kind=EventKind.WEBINAR, status=EventStatus.PUBLISHED,
                                 title=f"ウェビナー {i}", timezone="Europe/London" if i % 2 else "Asia/Tokyo",
                                 starts_at=starts + timedelta(days=i), ends_at=starts + timedelta(days=i, hours=1)))
        db.session.commit()
        client = app.test_client()
        feed_time, response = timed(lambda: client.get("/calendar.ics"), repeat=5)

        cancel, _ = timed(lambda: events.cancel_event(event_id, actor=operator, reason="ベンチマーク"))

        backend = db.engine.dialect.name
        print(f"backend: {backend}, attendees: {n}")
        print(f"| change time of a {n}-attendee event (update_event, whole transaction) | "
              f"{statistics.median(rows) * 1000:.0f} ms median of 3 ({', '.join(f'{r * 1000:.0f}' for r in rows)}) |")
        print(f"| cosmetic edit (nothing queued) | {cosmetic * 1000:.0f} ms |")
        print(f"| cancel the {n}-attendee event (cancel_event) | {cancel * 1000:.0f} ms |")
        print(f"| build one personal invite | {one_invite * 1000:.1f} ms ({len(data)} bytes) |")
        print(f"| GET /calendar.ics with 200 events | {feed_time * 1000:.0f} ms ({len(response.data) // 1024} KiB) |")
        db.session.remove()
        if args.database_url:
            db.drop_all()
    tmp.cleanup()


if __name__ == "__main__":
    main()
