"""A webinar is online only, down to the database: no row of one holds a venue or venue seats.

The service refuses them with field errors (test_api_events.py, test_events_admin_pages.py);
here the CHECK constraint behind it, as `db.create_all()` and as migration 0004 build it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events_app import create_app
from events_app.enums import EventKind
from events_app.events.models import Event
from events_app.extensions import db
from tests.test_foundation_migrations import empty_database_url  # noqa: F401  (a fixture)

BEFORE = "0003_session_choice_required"
VENUE = {"venue_name": "本社 20階 ホール", "venue_address": "東京都千代田区丸の内1-1-1",
         "venue_map_url": "https://maps.example.com/hq", "venue_latitude": 35.68, "venue_longitude": 139.76,
         "capacity": 50}


# --- the schema the tests and a fresh install get (db.create_all) -----------------------

@pytest.mark.parametrize("column", sorted(VENUE))
def test_the_database_refuses_a_new_webinar_with_a_venue_or_venue_seats(make_event, column):
    with pytest.raises(sa.exc.IntegrityError):
        make_event(kind=EventKind.WEBINAR, online_url="https://meet.example.com/w", **{column: VENUE[column]})
    db.session.rollback()


@pytest.mark.parametrize("column", sorted(VENUE))
def test_the_database_refuses_giving_a_webinar_a_venue_or_venue_seats(make_event, column):
    webinar = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example.com/w")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Event).where(Event.id == webinar.id).values({column: VENUE[column]}))
    db.session.rollback()


def test_the_database_refuses_turning_an_event_with_a_venue_into_a_webinar(make_event):
    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example.com/h")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Event).where(Event.id == event.id).values(kind=EventKind.WEBINAR))
    db.session.rollback()


def test_a_webinar_made_by_the_factory_has_no_venue(make_event):
    webinar = make_event(kind="webinar", online_url="https://meet.example.com/w")
    assert (webinar.venue_name, webinar.venue_address, webinar.capacity) == ("", "", None)


# --- migration 0004 on a database that holds a webinar with a venue ---------------------

def _insert_event(conn, table: sa.Table, slug: str, kind: str, **fields) -> int:
    starts = datetime(2031, 5, 20, 10, tzinfo=timezone.utc)
    values = dict(slug=slug, kind=kind, status="published", visibility="listed", language="ja", title=slug,
                  description="", title_translation="", description_translation="", timezone="Asia/Tokyo",
                  starts_at=starts, ends_at=starts + timedelta(hours=1), venue_name="", venue_address="",
                  venue_map_url="", online_url="https://meet.example.com/x", audience_alumni=True,
                  audience_employees=True, audience_guests=False, requires_approval=False,
                  session_choice_required=False, survey_enabled=True, cancellation_reason="",
                  created_at=starts, updated_at=starts)
    values.update(fields)
    return conn.execute(sa.insert(table).values(values).returning(table.c.id)).scalar_one()


@pytest.fixture
def before_0004(empty_database_url):  # noqa: F811  (the imported fixture)
    """An app on a database migrated to 0003 holding a webinar with a venue (and a note on it)
    and a hybrid event with one; yields (app, webinar id, hybrid id)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            event = sa.Table("event", sa.MetaData(), autoload_with=conn)
            note = sa.Table("event_note", sa.MetaData(), autoload_with=conn)
            webinar = _insert_event(conn, event, "old-webinar", "webinar", **VENUE)
            hybrid = _insert_event(conn, event, "hybrid", "hybrid", **VENUE)
            conn.execute(sa.insert(note).values(event_id=webinar, body="会場の予約を取り消すこと", highlight=False,
                                                created_at=datetime(2031, 5, 1, tzinfo=timezone.utc)))
        yield app, webinar, hybrid
        db.session.remove()
        db.engine.dispose()


def _venue(event_id: int) -> dict:
    query = sa.select(*map(sa.column, VENUE)).select_from(sa.table("event")).where(sa.column("id") == event_id)
    with db.engine.connect() as conn:
        return dict(conn.execute(query).one()._mapping)


def test_upgrading_clears_the_venue_and_venue_seats_of_a_webinar(before_0004):
    app, webinar, _ = before_0004
    upgrade()
    assert _venue(webinar) == {"venue_name": "", "venue_address": "", "venue_map_url": "", "venue_latitude": None,
                               "venue_longitude": None, "capacity": None}


def test_upgrading_keeps_the_venue_of_other_kinds(before_0004):
    app, _, hybrid = before_0004
    upgrade()
    assert _venue(hybrid) == VENUE


def test_upgrading_keeps_what_refers_to_the_webinar(before_0004):
    """SQLite rebuilds the table to add a CHECK: dropping the old one must not cascade to its notes."""
    app, webinar, _ = before_0004
    upgrade()
    with db.engine.connect() as conn:
        notes = conn.execute(sa.text("SELECT body FROM event_note WHERE event_id = :id"), {"id": webinar}).scalars()
        assert list(notes) == ["会場の予約を取り消すこと"]


def test_after_upgrading_the_database_refuses_a_webinar_with_a_venue(before_0004):
    app, webinar, _ = before_0004
    upgrade()
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE event SET venue_name = '本社' WHERE id = :id"), {"id": webinar})


def test_downgrading_drops_the_constraint(before_0004):
    app, webinar, _ = before_0004
    upgrade()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE event SET venue_name = '本社' WHERE id = :id"), {"id": webinar})
    assert _venue(webinar)["venue_name"] == "本社"


def test_the_migrations_give_every_table_the_models_check_constraints(before_0004):
    """Alembic's comparison does not look at CHECK constraints; compare their names here."""
    app, _, _ = before_0004
    upgrade()
    inspector = sa.inspect(db.engine)
    migrated = {(t.name, c["name"]) for t in db.metadata.sorted_tables for c in inspector.get_check_constraints(t.name)}
    modelled = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.constraints
                if isinstance(c, sa.CheckConstraint)}
    assert migrated == modelled
