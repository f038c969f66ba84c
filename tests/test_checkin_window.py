"""An event's check-in window (opt-in): the door refuses `too_early` before it opens, with the
opening time; without one it admits at any time, as outside checks that create future events and
check tickets in at once rely on. The setting, its validation, its migration, the offline list's
copy of it, and the scan's unchanged statement count."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from events_app import create_app
from events_app.database import utcnow
from events_app.enums import CheckInSource
from events_app.events.models import Event
from events_app.extensions import db
from events_app.registration.models import Registration
from events_app.tickets import api as handlers, codes, services
from events_app.tickets.models import CheckIn
from tests.test_foundation_migrations import empty_database_url  # noqa: F401 - a fixture

TOKYO = ZoneInfo("Asia/Tokyo")


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def opening_message(opens_at: datetime) -> str:
    local = opens_at.astimezone(TOKYO)
    return f"受付は {local.month}月{local.day}日 {local:%H:%M} からです"


@pytest.fixture
def door(db_backend, make_event, make_registration, make_token):
    """Three events: one in three weeks without a window, one in three hours with a one-hour
    window (not open yet), one starting in 30 minutes with a one-hour window (open)."""
    now = _minute(utcnow())
    open_any_time = make_event(slug="later", starts_at=now + timedelta(days=21))
    not_yet = make_event(slug="tonight", starts_at=now + timedelta(hours=3), checkin_opens_minutes=60)
    opened = make_event(slug="soon", starts_at=now + timedelta(minutes=30), checkin_opens_minutes=60)
    token, staff = make_token("operator")
    tickets = {e.slug: make_registration(e) for e in (open_any_time, not_yet, opened)}
    return {"events": {e.slug: e for e in (open_any_time, not_yet, opened)}, "tickets": tickets,
            "auth": {"Authorization": f"Bearer {token}"}, "staff": staff}


def scan(client, door, slug, **extra):
    code = codes.ticket_url(services.ticket_code(door["tickets"][slug]))
    return client.post("/api/v1/checkin", json={"event": slug, "code": code, **extra}, headers=door["auth"]).get_json()


def test_without_a_window_a_ticket_is_admitted_weeks_early_as_before(client, door):
    answer = scan(client, door, "later")
    assert answer["result"] == "ok" and "opens_at" not in answer


def test_before_the_window_opens_a_scan_is_refused_with_the_opening_time(client, door):
    event, registration = door["events"]["tonight"], door["tickets"]["tonight"]
    answer = scan(client, door, "tonight")
    opens_at = event.starts_at - timedelta(minutes=60)
    assert answer["result"] == "too_early"
    assert datetime.fromisoformat(answer["opens_at"]) == opens_at
    assert answer["opens_at"].endswith("+09:00")  # in the event's zone, as the message says it
    assert answer["message"] == opening_message(opens_at)
    assert answer["registration"]["name"] == registration.person.name  # staff see whose ticket it is
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    english = client.post("/api/v1/checkin?lang=en", headers=door["auth"], json={
        "event": "tonight", "code": services.ticket_code(registration)}).get_json()
    local = opens_at.astimezone(TOKYO)
    assert english["message"] == f"Check-in opens at {local.day} {local:%b}, {local:%H:%M}"


def test_once_the_window_is_open_the_scan_admits(client, door):
    assert scan(client, door, "soon")["result"] == "ok"


def test_the_ticket_pages_check_in_button_names_the_opening_time(client, login, door):
    login(door["staff"])
    event, registration = door["events"]["tonight"], door["tickets"]["tonight"]
    path = codes.ticket_url(services.ticket_code(registration)).replace("http://localhost", "")
    shown = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert 'data-result="too_early"' in shown
    assert opening_message(event.starts_at - timedelta(minutes=60)) in shown
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is None


def test_the_door_pages_scan_is_refused_too(client, login, door):
    login(door["staff"])
    code = services.ticket_code(door["tickets"]["tonight"])
    answer = client.post("/checkin/tonight/api/scan", json={"code": code}).get_json()
    assert answer["result"] == "too_early" and answer["opens_at"]


def test_a_one_tap_check_in_from_search_is_refused_before_the_window(client, login, door):
    login(door["staff"])
    refused = client.post("/checkin/tonight/api/checkin",
                          json={"registration_id": door["tickets"]["tonight"].id}).get_json()
    assert refused["result"] == "too_early" and refused["message"].startswith("受付は ")
    by_api = client.post("/api/v1/checkin", headers=door["auth"],
                         json={"event": "tonight", "registration_id": door["tickets"]["tonight"].id}).get_json()
    assert by_api["result"] == "too_early"
    admitted = client.post("/checkin/soon/api/checkin", json={"registration_id": door["tickets"]["soon"].id})
    assert admitted.get_json()["result"] == "ok"


def test_a_walk_in_is_refused_before_the_window_and_nobody_is_registered(client, login, door):
    login(door["staff"])
    before = db.session.scalar(select(func.count()).select_from(Registration))
    answer = client.post("/checkin/tonight/api/walk-in", json={
        "name": "飛び込み 太郎", "email": "walkin@example.jp", "affiliation": "guest"}).get_json()
    assert answer["result"] == "too_early" and answer["message"] == opening_message(
        door["events"]["tonight"].starts_at - timedelta(minutes=60))
    assert db.session.scalar(select(func.count()).select_from(Registration)) == before
    inside = client.post("/checkin/soon/api/walk-in", json={
        "name": "飛び込み 花子", "email": "walkin2@example.jp", "affiliation": "guest"}).get_json()
    assert inside["result"] == "ok"


def test_undo_is_allowed_whatever_the_window(client, door):
    event, registration = door["events"]["tonight"], door["tickets"]["tonight"]
    # Checked in while the event had no window (an outside check), then a window was set.
    event.checkin_opens_minutes = None
    db.session.commit()
    assert scan(client, door, "tonight")["result"] == "ok"
    event.checkin_opens_minutes = 60
    db.session.commit()
    undone = client.post("/api/v1/checkin/undo", headers=door["auth"],
                         json={"registration_id": registration.id, "reason": "間違えて受付"})
    assert undone.status_code == 200 and undone.get_json()["result"] == "undone"


def test_an_offline_sync_is_judged_by_when_the_device_admitted(client, login, door, make_registration):
    event = door["events"]["soon"]  # opened 30 minutes ago
    early, inside = door["tickets"]["soon"], make_registration(event)
    scans = [{"nonce": "early", "code": services.ticket_code(early),
              "client_at": (utcnow() - timedelta(minutes=45)).isoformat()},
             {"nonce": "inside", "code": services.ticket_code(inside),
              "client_at": (utcnow() - timedelta(minutes=10)).isoformat()}]
    answer = client.post("/api/v1/checkin/sync", headers=door["auth"],
                         json={"event": "soon", "scans": scans}).get_json()
    refused, admitted = answer["results"]
    assert refused["result"] == "too_early" and refused["conflict"] is True
    assert datetime.fromisoformat(refused["opens_at"]) == event.starts_at - timedelta(minutes=60)
    assert admitted["result"] == "ok"
    # The early admission stays in the history for operators, as the refusal it got.
    row = db.session.scalar(select(CheckIn).where(CheckIn.registration_id == early.id))
    assert row.refused_as == "too_early" and row.conflict
    login(door["staff"])
    assert "まだ受付開始前です" in client.get("/checkin/soon/history?conflicts=1").get_data(as_text=True)


def test_the_offline_list_carries_the_window(client, door):
    with_window = client.get("/api/v1/checkin/events/tonight/offline", headers=door["auth"]).get_json()["event"]
    event = door["events"]["tonight"]
    assert datetime.fromisoformat(with_window["starts_at"]) == event.starts_at
    assert datetime.fromisoformat(with_window["checkin_opens_at"]) == event.starts_at - timedelta(minutes=60)
    without = client.get("/api/v1/checkin/events/later/offline", headers=door["auth"]).get_json()["event"]
    assert without["checkin_opens_at"] is None and without["starts_at"]


# --- the setting -----------------------------------------------------------------------------

def edit_form(event, **overrides) -> dict:
    local = event.starts_at.astimezone(TOKYO)
    data = {"title": "変更後のタイトル", "kind": "networking", "language": "ja", "timezone": "Asia/Tokyo",
            "starts_at": f"{local:%Y-%m-%dT%H:%M}", "ends_at": f"{event.ends_at.astimezone(TOKYO):%Y-%m-%dT%H:%M}",
            "venue_name": "本社 20階 ホール", "capacity": "100", "audience": ["alumni", "employee"],
            "visibility": "listed", "slug": event.slug}
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", ["-5", "abc", "10081", "1.5"])
def test_the_form_refuses_a_bad_window_and_keeps_what_was_typed(client, login, door, typed):
    login(door["staff"])
    event = door["events"]["later"]
    response = client.post(f"/admin/events/{event.slug}/edit", data=edit_form(event, checkin_opens_minutes=typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "0〜10080（1週間）の分数を整数で入力してください。制限しない場合は空欄にしてください。" in html
    assert f'value="{typed}"' in html and 'value="変更後のタイトル"' in html
    db.session.expire_all()
    assert db.session.get(Event, event.id).checkin_opens_minutes is None


def test_the_form_sets_and_clears_the_window(client, login, door):
    login(door["staff"])
    event = door["events"]["later"]
    page = client.get(f"/admin/events/{event.slug}/edit").get_data(as_text=True)
    assert "当日受付（チェックイン）開始：イベント開始の何分前から" in page and "空欄なら制限なし" in page
    assert client.post(f"/admin/events/{event.slug}/edit",
                       data=edit_form(event, checkin_opens_minutes="30")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).checkin_opens_minutes == 30
    assert 'value="30"' in client.get(f"/admin/events/{event.slug}/edit").get_data(as_text=True)
    assert client.post(f"/admin/events/{event.slug}/edit",
                       data=edit_form(event, checkin_opens_minutes="")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).checkin_opens_minutes is None


def test_a_window_field_of_only_spaces_is_empty_not_an_error(client, login, door):
    login(door["staff"])
    event = door["events"]["later"]
    event.checkin_opens_minutes = 30
    db.session.commit()
    response = client.post(f"/admin/events/{event.slug}/edit", data=edit_form(event, checkin_opens_minutes="  \u3000"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).checkin_opens_minutes is None


def test_the_events_api_reads_and_writes_the_window(client, door):
    auth = door["auth"]
    bad = client.patch("/api/v1/events/later", json={"checkin_opens_minutes": 10081}, headers=auth)
    assert bad.status_code == 422 and "checkin_opens_minutes" in bad.get_json()["error"]["fields"]
    good = client.patch("/api/v1/events/later", json={"checkin_opens_minutes": 90}, headers=auth)
    assert good.status_code == 200 and good.get_json()["checkin_opens_minutes"] == 90
    cleared = client.patch("/api/v1/events/later", json={"checkin_opens_minutes": None}, headers=auth)
    assert cleared.get_json()["checkin_opens_minutes"] is None


def test_the_database_refuses_a_window_longer_than_a_week(door):
    event = door["events"]["later"]
    event.checkin_opens_minutes = 10081
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_migration_0010_adds_the_window_and_takes_it_away(empty_database_url):  # noqa: F811
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade(revision="0009_conflict_reviews")
        assert "checkin_opens_minutes" not in {c["name"] for c in sa.inspect(db.engine).get_columns("event")}
        upgrade()
        assert "checkin_opens_minutes" in {c["name"] for c in sa.inspect(db.engine).get_columns("event")}
        downgrade(revision="0009_conflict_reviews")
        assert "checkin_opens_minutes" not in {c["name"] for c in sa.inspect(db.engine).get_columns("event")}
        db.session.remove()
        db.engine.dispose()


# --- the hot path ----------------------------------------------------------------------------

@contextmanager
def statements_sent():
    """Every statement the driver sends while the block runs, whatever the connection: SQLite's
    trace callback, libpq's protocol trace (one Bind or Query message per statement)."""
    sent: list[str] = []
    traces = []

    def watch(dbapi_connection, *_):
        if any(c is dbapi_connection for c, _f in traces):
            return
        if hasattr(dbapi_connection, "set_trace_callback"):
            dbapi_connection.set_trace_callback(sent.append)
            traces.append((dbapi_connection, None))
        else:
            from psycopg import pq

            trace = tempfile.TemporaryFile("w+")
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traces.append((dbapi_connection, trace))

    sa.event.listen(db.engine, "checkout", watch)
    watch(db.session.connection().connection.dbapi_connection)  # the one the session holds already
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "checkout", watch)
        for dbapi_connection, trace in traces:
            if trace is None:
                dbapi_connection.set_trace_callback(None)
                continue
            dbapi_connection.pgconn.untrace()
            trace.seek(0)
            sent.extend(line for line in trace.read().splitlines()
                        if line.split("\t")[:1] == ["F"] and line.split("\t")[2:3] in (["Bind"], ["Query"]))
            trace.close()


def test_a_scan_sends_the_same_statements_with_or_without_a_window(app, door, make_registration):
    """The window comes in the ticket's own row: an event with one pays no extra query."""
    staff = door["staff"]

    def statements_for_scan(slug: str, registration) -> tuple[str, int]:
        code = services.ticket_code(registration)
        db.session.commit()
        _ = (staff.id, staff.role, staff.display_name)  # loaded before counting, as a signed-in request has it
        with app.test_request_context(), statements_sent() as sent:
            answer = handlers.scan_at(slug, staff, {"code": code}, source=CheckInSource.API)
        return answer["result"], len(sent)

    plain = statements_for_scan("later", door["tickets"]["later"])
    windowed = statements_for_scan("soon", door["tickets"]["soon"])
    assert plain[0] == windowed[0] == "ok" and plain[1] == windowed[1] > 0
    refused = statements_for_scan("tonight", door["tickets"]["tonight"])
    repeat = statements_for_scan("later", door["tickets"]["later"])  # already checked in: a read, no write
    assert (refused[0], repeat[0]) == ("too_early", "already_checked_in")
    assert refused[1] == repeat[1] > 0


def test_the_door_page_carries_the_events_days_for_the_wrong_day_notice(client, login, door, make_event):
    """The notice's text comes from the server (in the page's language); the page itself says
    whether today is one of the event's days (checkin-status.js, test_checkin_window_browser.py)."""
    login(door["staff"])
    evening = (utcnow().astimezone(TOKYO) + timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
    event = make_event(slug="next-week", starts_at=evening.astimezone(timezone.utc))
    weekday = "月火水木金土日"[evening.weekday()]
    html = client.get("/checkin/next-week").get_data(as_text=True)
    assert f'data-first-day="{evening.date().isoformat()}"' in html
    # Each date in a span kept whole on a phone (test_checkin_door_qa16_browser.py).
    assert f'このイベントの開催日は <span class="nowrap">{evening.month}月{evening.day}日（{weekday}）</span>です' in html
    english = client.get("/checkin/next-week?lang=en").get_data(as_text=True)
    assert f'This event is on <span class="nowrap">{evening:%A} {evening.day} {evening:%B}</span>' in english
    assert event.checkin_opens_minutes is None  # the notice shows whether or not a window is set


def test_the_events_admin_page_says_when_the_door_opens(client, login, door):
    login(door["staff"])
    tonight = door["events"]["tonight"]
    page = client.get(f"/admin/events/{tonight.slug}").get_data(as_text=True)
    opens = (tonight.starts_at - timedelta(minutes=60)).astimezone(TOKYO)
    assert "当日受付の開始: " in page and f"{opens:%H:%M}" in page and "（開始の 60 分前）" in page
    assert 'id="checkin-window"' not in client.get("/admin/events/later").get_data(as_text=True)
