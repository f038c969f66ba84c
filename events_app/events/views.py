"""Operator pages for events (placeholder until the events work lands)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..auth.permissions import staff_required
from ..enums import Role

bp = Blueprint("events_admin", __name__, url_prefix="/admin")


@bp.route("/")
@staff_required(Role.ADMIN, Role.OPERATOR)
def dashboard():
    return render_template("events/dashboard.html", events=[])
