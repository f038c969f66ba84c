"""Migration 0006 gives hosts a title and profile in the event's other language: on a database
that already holds hosts, they keep everything and get empty translations; downgrading drops
the two columns and keeps the hosts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from events_app import create_app
from events_app.extensions import db
from tests.test_events_webinar_db_rule import _insert_event
from tests.test_foundation_migrations import empty_database_url  # noqa: F401  (a fixture)

BEFORE = "0005_registrant_message"
AFTER = "0006_host_translation"
HOST = {"role": "speaker", "name": "佐藤 健一", "name_kana": "サトウ ケンイチ", "current_company": "カーボンリンク株式会社",
        "current_title": "代表取締役 CEO", "former_department": "石炭部", "joined_year": 2005, "left_year": 2015,
        "profile": "石炭部から**起業**。", "position": 0}


@pytest.fixture
def before_0006(empty_database_url):  # noqa: F811  (the imported fixture)
    """An app on a database migrated to 0005 holding an event with a host who hosts a session;
    yields (app, host id)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            tables = {name: sa.Table(name, sa.MetaData(), autoload_with=conn)
                      for name in ("event", "host", "event_session")}
            event_id = _insert_event(conn, tables["event"], "kabeuchi", "business_discussion",
                                     venue_name="本社", capacity=30)
            host_id = conn.execute(sa.insert(tables["host"]).values(event_id=event_id, **HOST)
                                   .returning(tables["host"].c.id)).scalar_one()
            starts = datetime(2031, 5, 20, 10, tzinfo=timezone.utc)
            conn.execute(sa.insert(tables["event_session"]).values(
                event_id=event_id, kind="breakout", title="テーブルA", title_translation="Table A",
                description="", host_id=host_id, starts_at=starts, ends_at=starts + timedelta(minutes=30),
                room="", online_url="", seats_taken=0, position=0))
        yield app, host_id
        db.session.remove()
        db.engine.dispose()


def _host(host_id: int) -> dict:
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT * FROM host WHERE id = :id"), {"id": host_id}).one()._mapping)


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def test_upgrading_gives_existing_hosts_empty_translations(before_0006):
    _app, host_id = before_0006
    upgrade()
    host = _host(host_id)
    assert (host["current_title_translation"], host["profile_translation"]) == ("", "")


def test_upgrading_keeps_everything_a_host_had(before_0006):
    _app, host_id = before_0006
    upgrade()
    host = _host(host_id)
    assert {k: host[k] for k in HOST} == HOST


def test_upgrading_keeps_the_sessions_a_host_hosts(before_0006):
    """SQLite rebuilds the table in batch mode: dropping the old one must not unset the session's host."""
    _app, host_id = before_0006
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT host_id FROM event_session")).scalar_one() == host_id


def test_after_upgrading_a_host_takes_its_translations(before_0006):
    _app, host_id = before_0006
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE host SET current_title_translation = 'Founder and CEO', "
                             "profile_translation = 'Founded a start-up.' WHERE id = :id"), {"id": host_id})
    assert _host(host_id)["current_title_translation"] == "Founder and CEO"


def test_a_host_inserted_without_translations_after_upgrading_gets_empty_ones(before_0006):
    """The server defaults: a writer that does not know the columns (an older app) still inserts."""
    _app, host_id = before_0006
    upgrade()
    with db.engine.begin() as conn:
        event_id = conn.execute(sa.text("SELECT event_id FROM host")).scalar_one()
        conn.execute(sa.text("INSERT INTO host (event_id, role, name, name_kana, current_company, current_title, "
                             "former_department, profile, position) VALUES (:e, 'host', '鈴木', '', '', '', '', '', 1)"),
                     {"e": event_id})
        rows = conn.execute(sa.text("SELECT current_title_translation, profile_translation FROM host "
                                    "WHERE name = '鈴木'")).one()
    assert tuple(rows) == ("", "")


def test_downgrading_drops_the_translations_and_keeps_the_hosts(before_0006):
    _app, host_id = before_0006
    upgrade()
    downgrade(revision=BEFORE)
    assert not {"current_title_translation", "profile_translation"} & _columns("host")
    assert _host(host_id)["name"] == "佐藤 健一"


def test_the_revision_follows_the_registrant_messages_on_one_line_of_history():
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    script = ScriptDirectory.from_config(config)
    assert script.get_revision(AFTER).down_revision == BEFORE
    assert len(script.get_heads()) == 1
