"""Liveness for load balancers (the app answers and so does the database), and the site icon's old address."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means "not ready"
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": type(exc).__name__}), 503
    return jsonify({"status": "ok"})


@bp.route("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (a PDF, a JSON answer):
    # send them to the icon rather than leave a 404 in the console.
    return redirect(url_for("static", filename="favicon.svg"), code=301)
