"""Public event pages: the list (upcoming and past, by kind) and one event's page."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.services import can_manage_events
from ..database import utcnow
from ..enums import EventKind
from ..errors import NotFound
from . import queries, services
from .serialize import registration_state, waitlist_open

bp = Blueprint("public", __name__)


@bp.app_context_processor
def _now() -> dict:
    return {"now": utcnow()}


@bp.app_template_global()
def kind_label(kind) -> str:
    return services.kind_label(kind)


@bp.app_template_global()
def status_label(status) -> str:
    return services.status_label(status)


@bp.app_template_global()
def host_role_label(role: str) -> str:
    return {"host": _("Host"), "speaker": _("Speaker"), "moderator": _("Moderator")}.get(role, role)


@bp.app_template_global()
def map_link(event) -> str:
    """The operator's map link, else one built from coordinates or the address (a link, not an embed)."""
    from urllib.parse import quote

    if event.venue_map_url:
        return event.venue_map_url
    if event.venue_latitude is not None and event.venue_longitude is not None:
        lat, lon = event.venue_latitude, event.venue_longitude
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    if event.venue_address:
        return "https://www.google.com/maps/search/?api=1&query=" + quote(event.venue_address)
    return ""


def _kind_filter() -> EventKind | None:
    raw = request.args.get("kind") or None
    try:
        return EventKind(raw) if raw else None
    except ValueError:
        return None  # an unknown filter shows everything rather than an error page


@bp.route("/")
@bp.route("/events")
def event_list():
    kind = _kind_filter()
    upcoming = queries.public_events(kind=kind, when="upcoming")
    past = queries.public_events(kind=kind, when="past", limit=12)
    return render_template("public/event_list.html", upcoming=upcoming, past=past, kind=kind,
                           kinds=list(EventKind), waitlist_open=waitlist_open)


@bp.route("/events/<slug>")
def event_page(slug: str):
    try:
        event = services.event_by_slug(slug)
    except NotFound:
        abort(404)
    is_staff = can_manage_events(current_user)
    if not services.is_publicly_visible(event) and not is_staff:
        abort(404)
    return render_template("public/event.html", event=event, is_staff=is_staff,
                           registration=registration_state(event), waitlist_open=waitlist_open(event))
