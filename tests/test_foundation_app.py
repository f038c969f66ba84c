"""The app starts, answers health checks and keeps its settings safe."""
from __future__ import annotations

import re

import pytest

from events_app import create_app
from events_app.config import ConfigError
from tests.conftest import STAFF_PASSWORD


def test_healthz_answers_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_database_is_down(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SECRET_KEY": "x" * 40, "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("TSUNAGU_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_unknown_page_is_a_friendly_translated_404(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert b"We could not find that page." in response.data


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_development_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    from events_app import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TSUNAGU_ENV", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = config.load_config()["SECRET_KEY"]
    second = config.load_config()["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("TSUNAGU_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        create_app()


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_spellings_point_at_psycopg3(given, expected):
    from events_app.config import normalise_database_url

    assert normalise_database_url(given) == expected


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    import sqlalchemy as sa

    from events_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1



def test_sqlite_write_lock_not_granted_is_sqlalchemys_operational_error(tmp_path):
    """BEGIN IMMEDIATE goes straight to the driver; a file another writer holds past the busy
    timeout still surfaces as SQLAlchemy's OperationalError, which registration retries."""
    import sqlite3

    import sqlalchemy as sa

    from events_app.extensions import db

    path = tmp_path / "locked.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "k" * 40, "TESTING": True})
    holder = sqlite3.connect(path, isolation_level=None)
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        conn.commit()
        holder.execute("BEGIN IMMEDIATE")
        try:
            conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(sa.exc.OperationalError, match="database is locked"):
                conn.execution_options(tsunagu_write=True).begin()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        with conn.execution_options(tsunagu_write=True).begin():  # free again: the write goes ahead
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1

def test_a_cookieless_request_starts_a_session_that_a_form_round_trips(app, make_staff):
    """The session interface skips its signer for requests without a session cookie: an API call
    writes no cookie, and a first visit to a form still gets a session carrying its CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True  # read per request by Flask-WTF
    staff = make_staff("operator")
    client = app.test_client()
    assert "Set-Cookie" not in client.get("/api/v1/events").headers
    page = client.get("/login")
    assert "session=" in page.headers.get("Set-Cookie", "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    signed_in = client.post("/login", data={"email": staff.email, "password": STAFF_PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302
    # A forged cookie is still read (and refused) by Flask's own interface: no session, no sign-in.
    forged = app.test_client()
    forged.set_cookie("session", "forged.value.here")
    assert forged.post("/login", data={"email": staff.email, "password": STAFF_PASSWORD,
                                       "csrf_token": token}).status_code == 400
