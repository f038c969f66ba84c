"""Calendar downloads: the attendee's invite, a public .ics per event, and the events feed."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..enums import EventKind, RegistrationStatus
from ..errors import Conflict, NotFound, ValidationError
from ..events.models import Event
from ..extensions import db
from ..registration.tokens import registration_for_token
from . import presentation, public, services
from .documents import CANCEL

bp = Blueprint("calendar", __name__)

CALENDAR_MIMETYPE = "text/calendar"


def _ics_response(data: bytes, filename: str, *, method: str, private: bool) -> Response:
    response = Response(data, mimetype=CALENDAR_MIMETYPE)
    response.content_type = f"{CALENDAR_MIMETYPE}; charset=utf-8; method={method}"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        # Personal data and a personal join link: never cache in shared caches.
        response.headers["Cache-Control"] = "private, no-store"
        return response
    response.headers["Cache-Control"] = "public, max-age=300"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/r/<token>/invite.ics")
def attendee_invite(token: str):
    """The attendee's invite as it is now: REQUEST while confirmed, CANCEL once withdrawn."""
    registration = registration_for_token(token)
    if registration is None:
        raise NotFound(_("This link is not valid. Please check that you copied the whole address."))
    method = services.current_method(registration)
    if method is None:
        if registration.status == RegistrationStatus.PENDING:
            raise Conflict(_("Your registration is waiting for the organisers' approval. "
                             "The calendar invitation is sent as soon as it is confirmed."))
        if registration.status == RegistrationStatus.WAITLISTED:
            raise Conflict(_("You are on the waiting list. The calendar invitation is sent "
                             "as soon as a seat becomes free for you."))
        raise NotFound(_("There is no calendar invitation for this registration."))
    data = services.invite_document(registration, method=method, token=token)
    filename = f"{registration.event.slug}-cancelled.ics" if method == CANCEL else f"{registration.event.slug}.ics"
    return _ics_response(data, filename, method=method, private=True)


@bp.route("/events/<slug>.ics")
def event_ics(slug: str):
    """A published event for people who are not registered: no personal data, no join URL."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not public.is_public(event):
        raise NotFound(_("We could not find that event."))
    data = public.public_event_document(event, str(get_locale()))
    return _ics_response(data, f"{event.slug}.ics", method="PUBLISH", private=False)


@bp.route("/calendar.ics")
def feed():
    """Every listed published event, to subscribe to (also as webcal://); `?kind=` filters."""
    kind = (request.args.get("kind") or "").strip() or None
    if kind and kind not in {k.value for k in EventKind}:
        raise ValidationError(
            _("Unknown kind of event “%(kind)s”.", kind=kind[:40]),
            fields={"kind": [_("Use one of: %(kinds)s.", kinds=", ".join(k.value for k in EventKind))]},
        )
    events = public.feed_events(kind)
    name, description = presentation.feed_title(kind)
    data = public.feed_document(events, language=str(get_locale()), name=name, description=description)
    filename = f"tsunagu-{kind}.ics" if kind else "tsunagu.ics"
    return _ics_response(data, filename, method="PUBLISH", private=False)


@bp.app_template_global("calendar_links")
def calendar_links(registration, token: str | None = None) -> dict | None:
    """Links for the attendee's page: their .ics, Google, Outlook (None when no invite exists)."""
    return presentation.attendee_links(registration, token)


@bp.app_template_global("event_calendar_links")
def event_calendar_links(event) -> dict | None:
    """Links for a public event page: its .ics and Google/Outlook entries without personal data."""
    return presentation.public_links(event)


@bp.app_template_global("calendar_feed_links")
def calendar_feed_links(kind: str | None = None) -> dict:
    return presentation.feed_links(kind)


@bp.app_template_filter("calendar_changes")
def calendar_changes(payload: dict, event) -> list[dict]:
    """An update mail's changes as rows {label, old, new} in the current language."""
    return presentation.describe_changes(payload or {}, event)
