"""Public event pages (placeholder until the events work lands)."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("public", __name__)


@bp.route("/")
def event_list():
    return render_template("public/event_list.html", events=[])
