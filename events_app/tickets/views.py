"""Web pages of the tickets capability: the attendee's ticket, the door screen and its JSON calls."""
from __future__ import annotations

from datetime import datetime
from functools import wraps

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..api import json_body
from ..auth.services import can_check_in, can_manage_events
from ..enums import AttendanceMode, CheckInSource, RegistrationStatus
from ..errors import Conflict, DomainError, error_json
from ..extensions import db
from ..registration.models import Registration
from ..registration.tokens import registration_for_token
from . import api as handlers
from . import codes, documents, services, walk_ins
from .models import Ticket
from .online_join import event_cancelled_message
from .outcomes import CheckInResult, Outcome, outcome_message

bp = Blueprint("tickets", __name__)

def not_confirmed_message(status: RegistrationStatus) -> str:
    messages = {
        RegistrationStatus.PENDING: _("Your registration is awaiting approval; your ticket appears once it is confirmed."),
        RegistrationStatus.WAITLISTED: _("You are on the waiting list; your ticket appears once a seat is confirmed."),
        RegistrationStatus.CANCELLED: _("This registration was cancelled, so it has no ticket."),
        RegistrationStatus.REJECTED: _("This registration was not accepted, so it has no ticket."),
    }
    return messages.get(status, _("This registration has no ticket."))


def _private(response: Response) -> Response:
    # Ticket images are bearer credentials: never cached by shared caches, never leaked by Referer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _ticket_for_token(token: str) -> tuple[Registration, str]:
    registration = registration_for_token(token)
    if registration is None:
        abort(404)
    if registration.event.is_cancelled:
        raise Conflict(event_cancelled_message())
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(not_confirmed_message(registration.status))
    if registration.attendance_mode == AttendanceMode.ONLINE:
        # Online attendees join through their link; a QR would let them in at a door they never use.
        raise Conflict(_("You attend online, so there is no ticket: join through the link on your page."))
    return registration, services.ticket_code(registration)


@bp.get("/r/<token>/ticket.png")
def ticket_png(token: str):
    _, code = _ticket_for_token(token)
    return _private(Response(documents.qr_png(codes.ticket_url(code)), mimetype="image/png"))


@bp.get("/r/<token>/ticket.svg")
def ticket_svg(token: str):
    _, code = _ticket_for_token(token)
    return _private(Response(documents.qr_svg(codes.ticket_url(code)), mimetype="image/svg+xml"))


@bp.get("/r/<token>/ticket.pdf")
def ticket_pdf(token: str):
    registration, code = _ticket_for_token(token)
    html = render_template("tickets/ticket_pdf.html", registration=registration, event=registration.event,
                           person=registration.person, code=code,
                           qr=documents.qr_data_uri(codes.ticket_url(code)))
    response = Response(documents.ticket_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="ticket-{registration.event.slug}.pdf"'
    return _private(response)


@bp.get("/r/<token>/join")
def join_online(token: str):
    """The personal tracked join link: records attendance, then redirects to the meeting."""
    registration = registration_for_token(token)
    if registration is None:
        abort(404)
    if request.method == "HEAD":
        # Link checkers and mail previewers ask with HEAD: that is nobody joining, so record nothing.
        return _private(Response(status=204))
    url = services.record_online_join(registration)  # or a Conflict saying why the link does not open
    return _private(redirect(url, code=303))


# --- the page a QR code opens -----------------------------------------------------------

_OUTCOME_KEY = "ticket_page_outcome"


def _shown_outcome(code: str) -> Outcome | None:
    """The check-in result the last POST on this ticket's page left in the session, once."""
    stored = session.get(_OUTCOME_KEY)
    if not isinstance(stored, dict) or stored.get("code") != code:
        return None
    session.pop(_OUTCOME_KEY)
    at, opens_at = stored.get("checked_in_at"), stored.get("opens_at")
    return Outcome(CheckInResult(stored["result"]),
                   checked_in_at=datetime.fromisoformat(at) if at else None,
                   checked_in_by=stored.get("checked_in_by"),
                   opens_at=datetime.fromisoformat(opens_at) if opens_at else None)


@bp.route("/t/<code>", methods=["GET", "POST"])
def ticket_page(code: str):
    """What scanning a ticket shows: its status to anyone, the person and a check-in button to staff."""
    code_id = codes.verify(code)
    ticket = db.session.scalar(select(Ticket).where(Ticket.code_id == code_id)) if code_id else None
    if ticket is None:
        return render_template("tickets/ticket_page.html", ticket=None), 404
    registration = ticket.registration
    event = registration.event
    staff = current_user if can_check_in(current_user, event.id) else None
    if request.method == "POST":
        if staff is None:
            abort(403)
        outcome = services.check_in_code(event, code, staff=staff, source=CheckInSource.SCAN,
                                         device="ticket-page")
        # Post-redirect-get: a reload shows the page again instead of posting the check-in again.
        # The result travels in the session, shown once, and only on this ticket's page.
        at = outcome.checked_in_at
        session[_OUTCOME_KEY] = {"code": codes.canonical(code), "result": outcome.result.value,
                                 "checked_in_at": at.isoformat() if at else None,
                                 "checked_in_by": outcome.checked_in_by,
                                 "opens_at": outcome.opens_at.isoformat() if outcome.opens_at else None}
        return redirect(url_for("tickets.ticket_page", code=code, **request.args), code=303)
    outcome = _shown_outcome(codes.canonical(code)) if staff is not None else None
    return render_template("tickets/ticket_page.html", ticket=ticket, registration=registration, event=event,
                           staff=staff, outcome=outcome, code=codes.canonical(code),
                           outcome_message=outcome_message)


# --- the door screen ---------------------------------------------------------------------

def _door_event(slug: str):
    if not current_user.is_authenticated:
        return None
    return handlers.event_for_staff(slug, current_user)


@bp.get("/checkin/")
def door_home():
    """The door screens a staff member may open: where check-in staff land after signing in."""
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    return render_template("tickets/door_home.html", events=services.door_events(current_user))


@bp.get("/checkin/<slug>")
def scanner(slug: str):
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    event = _door_event(slug)
    sessions = [s for s in event.sessions if s.kind.value == "breakout"]
    return render_template("tickets/scanner.html", event=event, sessions=sessions,
                           is_operator=can_manage_events(current_user))


@bp.get("/checkin/sw.js")
def service_worker():
    """The door screen's service worker, served from /checkin/ so its scope covers the screens."""
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    from pathlib import Path

    from flask import current_app

    script = (Path(current_app.static_folder) / "js" / "checkin-sw.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/checkin/"
    return response


@bp.get("/checkin/<slug>/history")
def history_page(slug: str):
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    event = _door_event(slug)
    conflicts_only = request.args.get("conflicts") == "1"
    rows = services.history(event, conflicts_only=conflicts_only)
    return render_template("tickets/history.html", event=event, rows=rows, conflicts_only=conflicts_only,
                           counts=services.counts(event), is_operator=can_manage_events(current_user),
                           refusal_label=lambda code: services.result_message(CheckInResult(code)))


@bp.post("/admin/events/<slug>/check-ins/<int:check_in_id>/review")
def review_conflict(slug: str, check_in_id: int):
    """Operators: mark a conflict reviewed, with a note (what was found); the history stays as written."""
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    if not can_manage_events(current_user):
        abort(403)
    event = _door_event(slug)
    try:
        services.review_conflict(event, check_in_id, staff=current_user, note=request.form.get("note", ""))
        flash(_("Marked as reviewed."), "success")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("tickets.history_page", slug=slug, conflicts=1))


@bp.post("/admin/tickets/<int:registration_id>/reissue")
def reissue(registration_id: int):
    """Operators: revoke a registration's ticket and issue a new one (a lost phone, a leaked code)."""
    if not current_user.is_authenticated:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    if not can_manage_events(current_user):
        abort(403)
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    slug = registration.event.slug
    try:
        services.reissue_ticket(registration_id, actor=current_user, reason=request.form.get("reason", ""))
        flash(_("A new ticket was issued; the old code no longer admits anyone."), "success")
    except DomainError as err:
        flash(err.message, "error")
    if request.form.get("back") == "registration":  # from the operators' registration page
        return redirect(url_for("registration.admin_detail", registration_id=registration_id))
    return redirect(url_for("tickets.history_page", slug=slug))


def door_api(view):
    """JSON endpoints of the door screen: session cookie + CSRF header, JSON errors."""
    @wraps(view)
    def wrapper(slug: str, *args, **kwargs):
        if not current_user.is_authenticated:
            # As a POST without a session is answered (errors.py): the screen asks to sign in again.
            return error_json("unauthorized", _("Your sign-in has ended: sign in again."), 401)
        try:
            event = handlers.event_for_staff(slug, current_user)
            answer = view(event, *args, **kwargs)
            return answer if isinstance(answer, tuple) else jsonify(answer)  # (body, status) as Flask reads it
        except DomainError as err:
            return error_json(err.code, err.message, err.status, err.fields)
    return wrapper


@bp.post("/checkin/<slug>/api/scan")
@door_api
def door_scan(event):
    return handlers.handle_scan(event, current_user, json_body(), source=CheckInSource.SCAN)


@bp.post("/checkin/<slug>/api/checkin")
@door_api
def door_check_in(event):
    # As `POST /api/v1/checkin` reads its body: a registration id (a search result) or a code.
    return handlers.handle_check_in(event, current_user, json_body(), source=CheckInSource.SCAN)


@bp.post("/checkin/<slug>/api/undo")
@door_api
def door_undo(event):
    data = json_body()
    # The door page says where the undo was asked: the scan's result panel or a search result.
    source = CheckInSource.SEARCH if data.get("source") == "search" else CheckInSource.SCAN
    return handlers.handle_undo(event, current_user, data, source=source)


@bp.post("/checkin/<slug>/api/sync")
@door_api
def door_sync(event):
    return handlers.handle_sync(event, current_user, json_body())


@bp.post("/checkin/<slug>/api/walk-in")
@door_api
def door_walk_in(event):
    data = json_body()
    try:
        outcome = walk_ins.walk_in(event, data, staff=current_user, device=handlers.device_label(data))
    except walk_ins.AlreadyRegisteredHere as err:
        # Only door staff of this event get here (door_api), so the registration may be named:
        # the door screen offers checking it in (the same /checkin call as a search result).
        return {"error": {"code": str(err.code), "message": err.message},
                "registration": services.registration_json(err.registration)}, err.status
    return handlers.outcome_json(outcome)


@bp.get("/checkin/<slug>/api/counts")
@door_api
def door_counts(event):
    return handlers.handle_counts(event, request.args.get("since"))


@bp.get("/checkin/<slug>/api/search")
@door_api
def door_search(event):
    return handlers.handle_search(event, request.args.get("q", ""), request.args.get("session_id"))


@bp.get("/checkin/<slug>/api/offline")
@door_api
def door_offline(event):
    return services.offline_snapshot(event)


@bp.get("/checkin/<slug>/api/history/<int:registration_id>")
@door_api
def door_registration_history(event, registration_id: int):
    rows = [r for r in services.registration_history(registration_id) if r.event_id == event.id]
    return {"history": [history_json(r) for r in rows]}


def history_json(row) -> dict:
    from .services import _staff_name

    return {"id": row.id, "kind": row.kind.value, "source": row.source.value, "mode": row.mode.value,
            "at": row.at.isoformat(), "client_at": row.client_at.isoformat() if row.client_at else None,
            "staff": _staff_name(row.staff_id), "device": row.device, "conflict": row.conflict,
            "reason": row.reason, "session_id": row.session_id, "refused_as": row.refused_as,
            "reviewed": row.review is not None}


@bp.app_template_global("conflicts_to_review")
def _conflicts_to_review(event_id: int) -> int:
    """Door conflicts an operator has not reviewed yet: the event's admin page points to them."""
    return services.conflicts_to_review(event_id)


@bp.app_template_global("ticket_status_message")
def _ticket_status_message(status: RegistrationStatus) -> str:
    return not_confirmed_message(status)


@bp.app_template_global("affiliation_label")
def _affiliation_label(value: str) -> str:
    return {"alumni": _("Alumni"), "employee": _("Employee"), "guest": _("Guest")}.get(value, value)


@bp.app_template_global("source_label")
def _source_label(value: str) -> str:
    return {"scan": _("QR scan"), "search": _("Search"), "offline_sync": _("Offline scan, synced"),
            "online_join": _("Online join"), "walk_in": _("Walk-in"), "api": _("API")}.get(value, value)


@bp.app_template_global("staff_label")
def _staff_label(staff_id: int | None) -> str:
    from .services import _staff_name

    return _staff_name(staff_id) or "—"
