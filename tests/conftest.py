"""Fixtures: an app per test on SQLite or PostgreSQL, a client, a CLI runner and factories.

Tests that use the database run once per backend. `--db sqlite|postgresql|all` picks the
backends (default all); PostgreSQL needs TEST_DATABASE_URL and is skipped with that reason
when it is unset, except under CI=true where its absence fails the run.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from events_app import create_app
from events_app.extensions import db
from tests.servers import CHROMIUM, CHROMIUM_ARGS, LiveServer, SmtpSink, free_port  # noqa: F401
from tests.support import IN_CI

BACKENDS = ("sqlite", "postgresql")
STAFF_PASSWORD = "correct horse battery"


def pytest_addoption(parser):
    parser.addoption("--db", default="all", choices=("sqlite", "postgresql", "all"),
                     help="which database backends the database tests run on")


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        # A property only PostgreSQL has (row locks, SKIP LOCKED) is proved there alone.
        only_pg = metafunc.definition.get_closest_marker("postgres_only") is not None
        metafunc.parametrize("db_backend", ("postgresql",) if only_pg else BACKENDS, indirect=True)


def pytest_collection_modifyitems(config, items):
    """`--db sqlite|postgresql` deselects (not skips) the other backend's runs."""
    chosen = config.getoption("--db")
    if chosen == "all":
        return
    keep, drop = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("db_backend")
        (drop if backend and backend != chosen else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def db_backend(request):
    return request.param


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        reason = "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if IN_CI:
            pytest.fail(reason + " — CI=true requires PostgreSQL", pytrace=False)
        pytest.skip(reason)
    return url


_pg_schema_ready: set[str] = set()


def _reset_postgres(app) -> None:
    """Create the schema once per run, then empty every table before each test."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url not in _pg_schema_ready:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        _pg_schema_ready.add(url)
    else:
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def database_url(db_backend, tmp_path) -> str:
    if db_backend == "postgresql":
        return _postgres_url()
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Override in a test module to change settings before the app is built."""
    from events_app.config import normalise_database_url

    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "EXPORT_DIR": str(tmp_path / "exports"),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SERVER": "",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)

    # The test keeps one app context open (so it can use the database between requests), and
    # Flask reuses it for every request; forget what Flask-Babel and Flask-Login cached in `g`
    # so each request chooses its language and loads its user afresh, as in production.
    @app.before_request
    def _fresh_request_state():
        from flask import g
        from flask_babel import refresh

        refresh()
        g.pop("_login_user", None)

    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _reset_postgres(app)
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -------------------------------------------------------------------------

_counter = itertools.count(1)


@pytest.fixture
def make_staff(app) -> Callable:
    """make_staff(role="operator", email=None) -> StaffUser with password STAFF_PASSWORD."""
    from events_app.auth.services import create_user

    def factory(role: str = "operator", email: str | None = None, name: str = ""):
        email = email or f"{role}{next(_counter)}@staff.example"
        user, _ = create_user(email, role, password=STAFF_PASSWORD, name=name or role.title())
        return user
    return factory


@pytest.fixture
def make_token(app, make_staff) -> Callable:
    """make_token(role="operator") -> (bearer token, StaffUser)."""
    from events_app.auth.services import create_token

    def factory(role: str = "operator", user=None):
        user = user or make_staff(role)
        return create_token(user.email), user
    return factory


@pytest.fixture
def login(client) -> Callable:
    """login(user) signs the test client in as that staff user."""
    def do_login(user, password: str = STAFF_PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return client
    return do_login


def in_days(days: float, hour: int = 19) -> datetime:
    base = datetime.now(timezone.utc) + timedelta(days=days)
    return base.replace(hour=hour % 24, minute=0, second=0, microsecond=0)


@pytest.fixture
def make_event(app) -> Callable:
    """make_event(**fields) -> a published Event (fields override sensible defaults)."""
    from events_app.enums import EventKind, EventStatus
    from events_app.events.models import Event

    def factory(**fields):
        n = next(_counter)
        starts = fields.pop("starts_at", in_days(14))
        values = dict(
            slug=f"event-{n}", kind=EventKind.NETWORKING, status=EventStatus.PUBLISHED,
            title=f"アルムナイ交流会 {n}", description="OB/OGと現役の交流会です。",
            timezone="Asia/Tokyo", starts_at=starts, ends_at=starts + timedelta(hours=2),
            venue_name="本社 20階 ホール", venue_address="東京都千代田区丸の内1-1-1",
            capacity=100, audience_alumni=True, audience_employees=True, audience_guests=True,
        )
        if EventKind(fields.get("kind", values["kind"])) == EventKind.WEBINAR:
            # Online only: the database refuses a venue or venue seats on a webinar.
            for name in ("venue_name", "venue_address", "capacity"):
                del values[name]
        values.update(fields)
        event = Event(**values)
        db.session.add(event)
        db.session.commit()
        return event
    return factory


@pytest.fixture
def make_session(app) -> Callable:
    """make_session(event, **fields) -> an EventSession (a breakout table by default)."""
    from events_app.events.models import EventSession

    def factory(event, **fields):
        n = next(_counter)
        values = dict(event_id=event.id, title=f"テーブル {n}", starts_at=event.starts_at,
                      ends_at=event.ends_at, capacity=10)
        values.update(fields)
        session = EventSession(**values)
        db.session.add(session)
        db.session.commit()
        return session
    return factory


@pytest.fixture
def make_person(app) -> Callable:
    """make_person(**fields) -> a Person (an alumna by default)."""
    from events_app.enums import Affiliation
    from events_app.people.models import Person

    def factory(**fields):
        n = next(_counter)
        values = dict(email=f"person{n}@example.jp", name=f"山田 花子{n}", name_kana=f"ヤマダ ハナコ{n}",
                      affiliation=Affiliation.ALUMNI, company="株式会社ミライ", former_department="石炭部",
                      joined_year=2008, left_year=2016, language="ja")
        values.update(fields)
        person = Person(**values)
        db.session.add(person)
        db.session.commit()
        return person
    return factory


@pytest.fixture
def make_registration(app, make_person) -> Callable:
    """make_registration(event, person=None, status="confirmed", **fields) -> Registration.

    Writes rows directly (seat counters included) for tests of what comes after
    registration; tests of registration itself go through its service and HTTP.
    """
    import uuid

    from events_app.database import utcnow
    from events_app.enums import AttendanceMode, RegistrationStatus
    from events_app.registration.models import Registration
    from events_app.registration.tokens import assign_manage_token

    def factory(event, person=None, status: str = "confirmed", **fields):
        person = person or make_person()
        status = RegistrationStatus(status)
        mode = AttendanceMode(fields.pop("attendance_mode", "in_person"))
        reg = Registration(
            event_id=event.id, person_id=person.id, status=status, attendance_mode=mode,
            calendar_uid=f"{uuid.uuid4()}@tsunagu", language=person.language,
            confirmed_at=utcnow() if status == RegistrationStatus.CONFIRMED else None,
            holds_seat=status == RegistrationStatus.CONFIRMED,
        )
        token = assign_manage_token(reg)
        for key, value in fields.items():
            setattr(reg, key, value)
        if reg.holds_seat:
            if mode == AttendanceMode.ONLINE:
                event.online_seats_taken += 1
            else:
                event.seats_taken += 1
        db.session.add(reg)
        db.session.commit()
        reg.manage_token = token  # the raw token, for tests that open the attendee's link
        return reg
    return factory


# --- a real SMTP server on loopback ----------------------------------------------------

@pytest.fixture
def staff_token(make_token, db_backend) -> dict:
    """The Authorization header of an operator's API token."""
    token, _user = make_token("operator")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def operator(make_staff, login):
    """An operator, signed in on the test client (some files keep their own `operator`)."""
    user = make_staff("operator")
    login(user)
    return user


@pytest.fixture
def operator_in(client, login, make_staff, db_backend):
    """operator_in(language) -> the client signed in as an operator whose UI is in that language."""
    def sign_in(language: str):
        operator = make_staff("operator")
        operator.language = language
        db.session.commit()
        return login(operator)
    return sign_in


@pytest.fixture
def message_mixer(make_event, make_registration, make_person):
    """An event for messages to registrants: two Japanese and one English confirmed registration, one waitlisted, one cancelled."""
    event = make_event(title="石炭部 OB/OG 交流会", title_translation="Coal Department alumni evening")
    people = {
        "hanako": make_registration(event),
        "taro": make_registration(event),
        "kate": make_registration(event, make_person(name="Kate Smith", language="en")),
        "waiting": make_registration(event, status="waitlisted"),
        "gone": make_registration(event, status="cancelled"),
    }
    return event, people


@pytest.fixture
def smtp_server():
    """A running SMTP server on 127.0.0.1; `.messages` holds what it received."""
    server = SmtpSink(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def mail_config(smtp_server) -> dict:
    """Settings that point the app at `smtp_server`; merge into app_config."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_USE_TLS": False,
            "MAIL_FROM": "Tsunagu <alumni@tsunagu.example>"}


# --- a real server and a real browser ---------------------------------------------------

@pytest.fixture
def live_server(app):
    """The test's app served over HTTP on 127.0.0.1 (BASE_URL points at it)."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def launch_browser():
    """launch_browser(extra_args=[]) -> a Playwright Browser on Debian's Chromium (closed after)."""
    from tests.support import require

    require(os.path.exists(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    browsers = []

    def launch(extra_args: list[str] | None = None):
        browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS + list(extra_args or []))
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()
    manager.stop()
