"""Tsunagu: alumni-employee networking events, from registration to the report."""
from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.routing import IntegerConverter

from .config import PROJECT_ROOT, load_config

# Blueprints, by capability. Each module exposes `bp`.
BLUEPRINT_MODULES = [
    "events_app.health",
    "events_app.auth.views",
    "events_app.events.views",
    "events_app.events.public_views",
    "events_app.registration.views",
    "events_app.tickets.views",
    "events_app.calendar.views",
    "events_app.mail.views",
    "events_app.reports.views",
]
# Modules that add routes to the shared JSON API blueprint (events_app.api.api_bp).
API_MODULES = [
    "events_app.api.openapi",
    "events_app.events.api",
    "events_app.registration.api",
    "events_app.registration.message_api",
    "events_app.tickets.api",
    "events_app.calendar.api",
    "events_app.reports.api",
]


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every URL: at most a 64-bit integer, so a longer number answers 404 instead
    of overflowing the SQLite driver (a 500) when it is looked up."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides settings read from the environment (tests pass one)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.url_map.converters["int"] = RowIdConverter  # before any route is added
    app.config.update(load_config())
    if config:
        app.config.update(config)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # A file on this machine does not go stale like a network connection: no ping on each
        # pool checkout (there are up to three per request).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "pool_pre_ping": False}
        if make_url(str(app.config["SQLALCHEMY_DATABASE_URI"])).database in (None, "", ":memory:"):
            # An in-memory database is one shared connection (Flask-SQLAlchemy's StaticPool),
            # which takes no pool size.
            app.config["SQLALCHEMY_ENGINE_OPTIONS"].pop("pool_size", None)
    elif str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql+psycopg:"):
        # Reads in autocommit, writes in a transaction each; pooled connections checked without a
        # round trip instead of pool_pre_ping: see database.configure_postgresql.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                                                   "isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}
    Path(app.config["EXPORT_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a proxy every request comes from the proxy's address: rate limits would be one
        # shared bucket and the audit log would record the proxy. Werkzeug's ProxyFix takes the
        # client's address, scheme and host from the headers the trusted proxies set.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import i18n, templating
    from .database import configure_postgresql, configure_sqlite
    from .errors import register_error_handlers
    from .extensions import CookieSessionInterface, csrf, db, limiter, login_manager, migrate

    app.session_interface = CookieSessionInterface()

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    i18n.init_app(app)
    templating.init_app(app)
    register_error_handlers(app)

    from . import models  # noqa: F401  (the whole schema, for Alembic)
    from .auth.models import StaffUser

    @login_manager.user_loader
    def _load_user(user_id: str):
        return db.session.get(StaffUser, int(user_id))

    from .api import api_bp

    for name in API_MODULES:
        importlib.import_module(name)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)

    from .cli import register_cli

    register_cli(app)

    if app.config["TSUNAGU_ENV"] == "production" and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        logging.getLogger(__name__).warning(
            "RATELIMIT_STORAGE_URI is in-process memory: limits are per worker. Set it to redis://... in production."
        )
    return app
