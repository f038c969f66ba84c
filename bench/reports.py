"""Benchmarks of the reports capability (results go in docs/PERFORMANCE.md, section "Reports").

1. The PDF summary of a 2,000-attendee event (with its attendance appendix) against the floor:
   WeasyPrint rendering the very same final HTML alone. Target: summary <= 1.3 x floor.
2. A 100,000-registration CSV export through the same generator the web view streams:
   rows/s (target >= 50,000) and memory growth (target <= 80 MB), measured twice: peak
   Python allocations with tracemalloc (a separate pass, since tracing slows everything),
   and the process's peak RSS growth.

    .venv/bin/python bench/reports.py                 # SQLite in a temporary directory
    .venv/bin/python bench/reports.py --database-url postgresql://postgres@127.0.0.1:5432/bench_reports
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from events_app import create_app  # noqa: E402
from events_app.config import normalise_database_url  # noqa: E402
from events_app.extensions import db  # noqa: E402

SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["花子", "太郎", "健", "美咲", "誠", "直樹", "優", "翔", "愛", "一郎"]
DEPARTMENTS = ["石炭部", "合金鉄部", "広報部", "人事部", "経営企画部", "鉄鋼製品部", "電力事業部"]
COMPANIES = ["株式会社ミライ", "ABC商事", "つなぐベンチャーズ", "東京コンサルティング", "", "グローバル物産"]
COMMENTS = ["同期と久しぶりに話せて、新しい事業の壁打ちもできました。", "会場が少し狭かったです。",
            "キャリアの話がとても参考になりました。", "オンラインでも参加しやすかった。", "次回も参加したいです。"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(event_slug: str, registrations: int, *, attend_ratio: float, survey_ratio: float, start: datetime) -> int:
    """Bulk-insert an event with `registrations` people; returns the event id."""
    from events_app.events.models import Event, EventSession
    from events_app.people.models import Person
    from events_app.registration.models import Registration, RegistrationSession
    from events_app.reports.models import SurveyResponse
    from events_app.tickets.models import CheckIn

    rng = random.Random(42)
    event = Event(slug=event_slug, kind="hybrid", status="published", title=f"アルムナイ大交流会 {event_slug}",
                  starts_at=start, ends_at=start + timedelta(hours=3), capacity=None, venue_name="本社 20階 ホール")
    db.session.add(event)
    db.session.flush()
    tables = []
    for i in range(8):
        table = EventSession(event_id=event.id, title=f"テーブル{i + 1} {DEPARTMENTS[i % len(DEPARTMENTS)]}の未来",
                             starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2), capacity=None)
        db.session.add(table)
        tables.append(table)
    db.session.flush()
    base_person = (db.session.scalar(select(db.func.max(Person.id))) or 0) + 1
    base_reg = (db.session.scalar(select(db.func.max(Registration.id))) or 0) + 1
    batch = 5000
    for offset in range(0, registrations, batch):
        people, regs, checkins, choices, surveys = [], [], [], [], []
        for n in range(offset, min(offset + batch, registrations)):
            pid, rid = base_person + n, base_reg + n
            affiliation = rng.choice(["alumni", "alumni", "employee", "guest"])
            joined = rng.randint(1985, 2022)
            people.append(dict(
                id=pid, email=f"{event_slug}-{n}@example.jp", name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}{n}",
                name_kana="ヤマダ ハナコ", affiliation=affiliation, company=rng.choice(COMPANIES),
                department=rng.choice(DEPARTMENTS) if affiliation == "employee" else "",
                former_department=rng.choice(DEPARTMENTS) if affiliation == "alumni" else "",
                joined_year=joined if affiliation != "guest" else None,
                left_year=min(joined + rng.randint(2, 20), 2025) if affiliation == "alumni" else None, language="ja"))
            came = rng.random() < attend_ratio
            online = rng.random() < 0.2
            checked = start + timedelta(minutes=rng.randint(-40, 70)) if came and not online else None
            joined_online = start + timedelta(minutes=rng.randint(-5, 20)) if came and online else None
            regs.append(dict(
                id=rid, event_id=event.id, person_id=pid, status="confirmed",
                attendance_mode="online" if online else "in_person", holds_seat=True, manage_nonce=uuid.uuid4().hex,
                manage_token_hash=uuid.uuid4().hex + uuid.uuid4().hex[:32], source="web", language="ja",
                calendar_uid=f"{uuid.uuid4()}@bench", checked_in_at=checked, online_joined_at=joined_online,
                created_at=start - timedelta(days=10), updated_at=start - timedelta(days=10),
                confirmed_at=start - timedelta(days=10)))
            if checked:
                checkins.append(dict(registration_id=rid, event_id=event.id, kind="check_in", mode="in_person",
                                     source="scan", at=checked, nonce=uuid.uuid4().hex))
            choices.append(dict(registration_id=rid, session_id=tables[n % len(tables)].id, status="confirmed",
                                holds_seat=True, created_at=start - timedelta(days=10)))
            if came and rng.random() < survey_ratio:
                surveys.append(dict(registration_id=rid, event_id=event.id, score=rng.randint(3, 10),
                                    most_useful=rng.choice(["同期との再会", "事業の壁打ち", "キャリアの話"]),
                                    comments=rng.choice(COMMENTS), introduction_requests=rng.choice(["", "", "広報部の方"]),
                                    would_host=rng.random() < 0.05, submitted_at=start + timedelta(days=1),
                                    updated_at=start + timedelta(days=1)))
        db.session.execute(insert(Person), people)
        db.session.execute(insert(Registration), regs)
        if checkins:
            db.session.execute(insert(CheckIn), checkins)
        db.session.execute(insert(RegistrationSession), choices)
        if surveys:
            db.session.execute(insert(SurveyResponse), surveys)
    db.session.commit()
    # Fresh planner statistics, as autovacuum would have them after a bulk load: without them
    # PostgreSQL reads every registration of the event and sorts it for each 2,000-row batch.
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return event.id


def bench_summary(event, repeats: int) -> dict:
    from events_app.pdf import html_to_pdf
    from events_app.reports.pdfs import summary_html_for, summary_pdf_for

    html_to_pdf("<p>warm-up: fonts and WeasyPrint's own caches</p>")
    html = summary_html_for(event, lang="ja", appendix=True)
    full, floor, prep = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        summary_html_for(event, lang="ja", appendix=True)
        prep.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pdf = summary_pdf_for(event, lang="ja", appendix=True)
        full.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        html_to_pdf(html)
        floor.append(time.perf_counter() - t0)
    return {"full_s": min(full), "floor_s": min(floor), "figures_and_html_s": min(prep),
            "ratio": min(full) / min(floor), "pdf_bytes": len(pdf), "html_bytes": len(html.encode())}


def bench_csv(event) -> dict:
    from events_app.reports import documents
    from events_app.reports.exports import AttendanceFilter, attendance_columns, attendance_rows

    columns, _q = attendance_columns(event, "ja")

    def run() -> tuple[int, int]:
        rows = nbytes = 0
        for chunk in documents.csv_chunks(columns.headers, attendance_rows(event, AttendanceFilter(), "ja")):
            nbytes += len(chunk)
            rows += chunk.count(b"\r\n")
        db.session.rollback()
        return rows - 1, nbytes

    rss_before = rss_mb()
    t0, cpu0 = time.perf_counter(), time.process_time()
    rows, nbytes = run()
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rss_growth = rss_mb() - rss_before
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed, "cpu_rows_per_s": rows / cpu,
            "csv_mb": nbytes / 1e6,
            "tracemalloc_peak_mb": (peak - base) / 1e6, "rss_growth_mb": rss_growth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-summary", action="store_true")
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": "b" * 40,
                          "EXPORT_DIR": f"{tmp}/exports", "TESTING": True})
        with app.app_context():
            db.drop_all()
            db.create_all()
            from events_app.events.models import Event

            start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
            print(f"database: {db.engine.dialect.name}; cpu: {open('/proc/cpuinfo').read().count('processor')} cores; "
                  f"load average: {open('/proc/loadavg').read().split()[0]}")
            if not args.skip_summary:
                # ~2,000 attendees: 2,400 confirmed, ~84% came; ~30% of attendees answered the survey.
                t0 = time.perf_counter()
                event_id = seed("summary", int(args.attendees / 0.84), attend_ratio=0.84, survey_ratio=0.3, start=start)
                event = db.session.get(Event, event_id)
                print(f"seeded summary event in {time.perf_counter() - t0:.1f}s")
                from events_app.reports.services import event_figures
                print(f"attended: {event_figures(event).key.attended}")
                result = bench_summary(event, args.repeats)
                print("summary PDF: full {full_s:.2f}s, floor (WeasyPrint alone) {floor_s:.2f}s, "
                      "ratio {ratio:.3f}; figures+HTML {figures_and_html_s:.3f}s; HTML {html_bytes} B, "
                      "PDF {pdf_bytes} B".format(**result))
            if not args.skip_csv:
                t0 = time.perf_counter()
                event_id = seed("export", args.export_rows, attend_ratio=0.8, survey_ratio=0.0,
                                start=start + timedelta(days=7))
                event = db.session.get(Event, event_id)
                print(f"seeded export event in {time.perf_counter() - t0:.1f}s")
                result = bench_csv(event)
                print("CSV export: {rows} rows in {seconds:.2f}s = {rows_per_s:,.0f} rows/s (CPU time: {cpu_rows_per_s:,.0f} rows/s); "
                      "{csv_mb:.1f} MB of CSV; "
                      "tracemalloc peak {tracemalloc_peak_mb:.1f} MB; RSS growth {rss_growth_mb:.1f} MB".format(**result))


if __name__ == "__main__":
    main()
