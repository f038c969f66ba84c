"""`flask db upgrade` builds the schema on both databases, and it is exactly the models'."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from events_app import create_app
from events_app.extensions import db
from tests.conftest import _postgres_url


@pytest.fixture
def empty_database_url(db_backend, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    server_url = sa.engine.make_url(_postgres_url()).set(drivername="postgresql+psycopg")
    name = f"tsunagu_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_build_exactly_the_models_schema(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade()
        assert _differences(app) == []
        db.session.remove()
        db.engine.dispose()


def test_migrations_downgrade_to_empty_and_upgrade_again(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "k" * 40, "TESTING": True})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert "registration" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
