"""JSON API routes of the tickets capability (added to events_app.api.api_bp).

The handlers below take (event, staff, data) so the scanner page's own endpoints
(`/checkin/<slug>/api/...`, session cookie + CSRF) answer exactly like the bearer API.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import jsonify, request
from flask_babel import gettext as _

from ..api import api_bp, json_body
from ..auth.permissions import current_staff, token_required
from ..auth.services import can_check_in, can_manage_events
from ..enums import CheckInSource, EventStatus
from ..errors import TOO_LARGE_MESSAGES, DomainError, ErrorCode, PermissionDenied, ValidationError
from ..extensions import db
from ..registration.models import Registration
from ..templating import localized
from . import api_schemas, codes, services
from .offline import door_window
from .outcomes import outcome_message
from .services import Outcome

MAX_BATCH = 500
from .queries import MAX_QUERY  # noqa: F401  (the door's search input takes as many characters)


def _sync_too_large(limit: str) -> str:
    return _("The request is too large: send at most %(limit)s, and at most %(n)d scans per batch.",
             limit=limit, n=MAX_BATCH)


# A queue too big for one request: both sync endpoints (the API's, the door page's) say how to split it.
TOO_LARGE_MESSAGES.update({"api.api_sync": _sync_too_large, "tickets.door_sync": _sync_too_large})


# --- shared by the API and the scanner page ----------------------------------------------

def outcome_json(outcome: Outcome, *, nonce: str | None = None) -> dict:
    registration = outcome.registration
    body = {
        "result": outcome.result.value,
        "message": outcome_message(outcome),
        "registration": (outcome.registration_data if outcome.registration_data is not None
                         else services.registration_json(registration) if registration is not None else None),
        "checked_in_at": outcome.checked_in_at.isoformat() if outcome.checked_in_at else None,
        "checked_in_by": outcome.checked_in_by,
        "conflict": outcome.conflict,
        "replayed": outcome.replayed,
        # A replayed admission undone since: checked_in_at/by then give the state now.
        "undone": outcome.undone,
        "history_id": outcome.history_id,
    }
    if (table := outcome.session) is not None:
        # `title` stays the event's own (API clients match on it); `display_title` is the title the
        # door page shows for the table.
        body["session"] = {"id": table.id, "title": table.title, "display_title": localized(table, "title")}
    if outcome.other_event is not None:
        other = outcome.other_event
        body["other_event"] = {"title": other.title, "starts_at": other.starts_at.isoformat()}
    if outcome.opens_at is not None:  # too_early: when the door opens (in the event's zone; the message says it too)
        body["opens_at"] = outcome.opens_at.isoformat()
    if nonce is not None:
        body["nonce"] = nonce
    return body


def event_for_staff(slug: str, staff, *, light: bool = False):
    """The event (or, with `light`, just its id and slug: all a scan needs) if `staff` may check in there."""
    event = services.event_ref(slug) if light else services.event_by_slug(slug)
    if not can_check_in(staff, event.id):
        raise PermissionDenied(_("You are not assigned to check in at this event."))
    return event


# The largest id a database row can have (a 64-bit integer): a bigger number would overflow the
# driver instead of finding nothing.
MAX_ID = 2**63 - 1


def _optional_int(data: dict, key: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ValidationError(_("%(field)s must be a whole number.", field=key),
                              fields={key: [_("Must be a whole number.")]})
    if int(value) > MAX_ID:
        raise ValidationError(_("%(field)s is too large to be an id.", field=key),
                              fields={key: [_("Too large to be an id.")]})
    return int(value)


def _required_text(data: dict, key: str, message) -> str:
    """`message` is a callable so the happy path translates nothing."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        # A number or a list is not a missing value: say what is wrong with it.
        raise ValidationError(_("%(field)s must be text.", field=key), fields={key: [_("Must be text.")]})
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(message(), fields={key: [message()]})
    return value


def device_label(data: dict, default: str = "") -> str:
    """The scanning device's label (kept in the history): text, cut to 100 characters."""
    value = data.get("device")
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ValidationError(_("device must be text."), fields={"device": [_("Must be text.")]})
    return value[:100]


def _client_at(value) -> datetime | None:
    """A device's clock reading: ISO 8601 with a zone, or milliseconds since the epoch."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, timezone.utc)
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValidationError(_("client_at must be an ISO 8601 time with a zone."),
                                  fields={"client_at": [_("Give a time zone, e.g. Z.")]})
        return parsed.astimezone(timezone.utc)  # overflows for 0001-01-01 at +14:00, 9999-12-31 at -14:00
    except (ValueError, OverflowError, OSError):
        raise ValidationError(_("client_at must be an ISO 8601 time with a zone."),
                              fields={"client_at": [_("Not a valid time.")]})


def handle_scan(event, staff, data: dict, *, source: CheckInSource, row=services.NOT_LOOKED_UP) -> dict:
    code = _required_text(data, "code", lambda: _("Scan or type a ticket code."))
    outcome = services.check_in_code(event, code, staff=staff, source=source, nonce=data.get("nonce"),
                                     device=device_label(data),
                                     session_id=_optional_int(data, "session_id"), row=row)
    return outcome_json(outcome)


def scan_at(slug: str, staff, data: dict, *, source: CheckInSource) -> dict:
    """A scan at the event `slug`. The ticket's own row names its event, so a ticket for this event
    (the usual case at the door) needs no event query; any other code looks the event up first,
    so an unknown event (404) or an unassigned staff member (403) is answered before the code."""
    code = data.get("code")
    # No code to look up: handle_scan answers 422 for it (after the event's 404/403) before any use of `row`.
    row = services.ticket_row(code) if isinstance(code, str) and code.strip() else None
    if row is not None and row.event_slug == slug and can_check_in(staff, row.event_id):
        event = services.EventRef(row.event_id, slug, row.event_status == EventStatus.CANCELLED, row.event_starts_at,
                                  row.event_checkin_opens_minutes, row.event_timezone)
    else:
        event = event_for_staff(slug, staff, light=True)
    return handle_scan(event, staff, data, source=source, row=row)


def names_a_registration(data: dict) -> bool:
    """A check-in by registration id (a search result), not by code: the id given and no code."""
    return data.get("registration_id") is not None and data.get("code") in (None, "")


def handle_check_in(event, staff, data: dict, *, source: CheckInSource) -> dict:
    """A check-in by registration id or by code, as `POST /api/v1/checkin` reads its body."""
    if names_a_registration(data):
        return handle_check_in_registration(event, staff, data)
    return handle_scan(event, staff, data, source=source)


def handle_check_in_registration(event, staff, data: dict) -> dict:
    registration_id = _optional_int(data, "registration_id")
    if registration_id is None:
        raise ValidationError(_("Choose whom to check in."), fields={"registration_id": [_("Required.")]})
    outcome = services.check_in_registration(event, registration_id, staff=staff, source=CheckInSource.SEARCH,
                                             nonce=data.get("nonce"), device=device_label(data),
                                             session_id=_optional_int(data, "session_id"))
    return outcome_json(outcome)


def _undo_target(data: dict) -> int:
    registration_id = _optional_int(data, "registration_id")
    if registration_id is None:
        raise ValidationError(_("Choose whose check-in to undo."), fields={"registration_id": [_("Required.")]})
    return registration_id


def handle_undo(event, staff, data: dict, *, source: CheckInSource) -> dict:
    """`source`: how the undo came in (the API, or the door page's scan result or search list)."""
    registration_id = _undo_target(data)
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationError(_("%(field)s must be text.", field="reason"), fields={"reason": [_("Must be text.")]})
    outcome = services.undo_check_in(event, registration_id, staff=staff, reason=reason,
                                     session_id=_optional_int(data, "session_id"),
                                     device=device_label(data), source=source)
    return {"result": "undone", "registration": services.registration_json(outcome.registration),
            "history_id": outcome.history_id}


def handle_sync(event, staff, data: dict) -> dict:
    scans = data.get("scans")
    if not isinstance(scans, list):
        raise ValidationError(_("scans must be a list."), fields={"scans": [_("Must be a list.")]})
    if len(scans) > MAX_BATCH:
        raise ValidationError(_("Send at most %(n)d scans at a time.", n=MAX_BATCH),
                              fields={"scans": [_("Too many scans in one batch.")]})
    device = device_label(data)
    results = []
    for scan in scans:
        # One bad scan is answered on its own line; the rest of the queue still syncs. A nonce of
        # the wrong type (a list, a float) is refused there too, by the service, before any write.
        nonce = scan.get("nonce") if isinstance(scan, dict) else None
        try:
            if not isinstance(scan, dict):
                raise ValidationError(_("Each queued scan must be an object with a nonce and a code or a "
                                        "registration_id."), fields={"scans": [_("Must be an object.")]})
            if nonce is None or nonce == "":
                raise ValidationError(_("Every queued scan needs a nonce."), fields={"nonce": [_("Required.")]})
            if scan.get("session_id") not in (None, ""):
                # The door checks in at a table only online; a synced admission is the entrance's.
                raise ValidationError(_("Check-ins at a breakout table are not synced offline: send them to "
                                        "/checkin with session_id."), fields={"session_id": [_("Not taken here.")]})
            item = {"nonce": nonce, "code": scan.get("code"), "device": device_label(scan, device),
                    "registration_id": _optional_int(scan, "registration_id"),
                    "client_at": _client_at(scan.get("client_at"))}
            if item["code"] is not None and not isinstance(item["code"], str):
                raise ValidationError(_("%(field)s must be text.", field="code"), fields={"code": [_("Must be text.")]})
            if item["registration_id"] is None and not isinstance(item["code"], str):
                raise ValidationError(_("A queued scan needs a code or a registration_id."),
                                      fields={"code": [_("Required.")]})
            outcome = services.sync_offline(event, [item], staff=staff, device=device)[0]
            results.append(outcome_json(outcome, nonce=nonce))
        except DomainError as err:
            db.session.rollback()
            results.append({"nonce": nonce, "result": "error",
                            "error": {"code": str(err.code), "message": err.message, "fields": err.fields}})
    return {"results": results, "counts": services.counts(event)}


def handle_counts(event, since: str | None) -> dict:
    """Live counts; with `since` (the `cursor` of an earlier answer, or the offline list's
    `generated_at`) also the check-in state changed since, so devices poll one request, not two."""
    answer = services.counts(event)
    if since:
        answer.update(services.check_in_changes(event, _cursor(since)))
        answer["event"] = door_window(event)  # an operator may have moved the start or the window
    return answer


def _cursor(value: str) -> datetime:
    try:
        # An unencoded "+00:00" in a query string arrives as " 00:00".
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
        if parsed.tzinfo is not None:
            return parsed.astimezone(timezone.utc)  # may overflow at the ends of the calendar
    except (ValueError, OverflowError):
        pass
    raise ValidationError(_("since must be an ISO 8601 time with a zone, as an earlier answer gave it."),
                          fields={"since": [_("Not a valid time.")]})


def handle_search(event, query: str, session_id: str | None = None) -> dict:
    """With `session_id` (the door checking in for a table) each result also says whether the
    person is booked for that table and when they were checked in there, as the table decides."""
    table = _optional_int({"session_id": session_id}, "session_id")
    results = []
    for registration in services.search(event, query, session_id=table):
        answer = services.registration_json(registration)
        if table is not None:
            answer["session"] = services.table_state(registration, table)
        results.append(answer)
    return {"results": results}


# --- the bearer-token API ------------------------------------------------------------------

@api_bp.post("/checkin")
@token_required()
def api_check_in():
    data = json_body()
    slug = _required_text(data, "event", lambda: _("Say which event (its slug)."))
    if names_a_registration(data):
        event = event_for_staff(slug, current_staff(), light=True)
        return jsonify(handle_check_in_registration(event, current_staff(), data))
    return jsonify(scan_at(slug, current_staff(), data, source=CheckInSource.API))


@api_bp.post("/checkin/undo")
@token_required()
def api_undo():
    data = json_body()
    registration = db.session.get(Registration, _undo_target(data))
    if registration is None:
        raise DomainError(_("No such registration."), code=ErrorCode.NOT_FOUND)
    event = event_for_staff(registration.event.slug, current_staff())
    return jsonify(handle_undo(event, current_staff(), data, source=CheckInSource.API))


@api_bp.post("/checkin/sync")
@token_required()
def api_sync():
    data = json_body()
    slug = _required_text(data, "event", lambda: _("Say which event (its slug)."))
    event = event_for_staff(slug, current_staff())
    return jsonify(handle_sync(event, current_staff(), data))


@api_bp.get("/checkin/events/<slug>/counts")
@token_required()
def api_counts(slug: str):
    return jsonify(handle_counts(event_for_staff(slug, current_staff()), request.args.get("since")))


@api_bp.get("/checkin/events/<slug>/search")
@token_required()
def api_search(slug: str):
    return jsonify(handle_search(event_for_staff(slug, current_staff()), request.args.get("q", "")))


@api_bp.get("/checkin/events/<slug>/offline")
@token_required()
def api_offline(slug: str):
    return jsonify(services.offline_snapshot(event_for_staff(slug, current_staff())))


@api_bp.post("/tickets/<int:registration_id>/reissue")
@token_required()
def api_reissue(registration_id: int):
    staff = current_staff()
    if not can_manage_events(staff):
        raise PermissionDenied(_("Only operators can re-issue tickets."))
    data = request.get_json(silent=True) or {}
    reason = data.get("reason") if isinstance(data, dict) and isinstance(data.get("reason"), str) else ""
    ticket = services.reissue_ticket(registration_id, actor=staff, reason=reason)
    # The new code as the QR holds it (the attendee is mailed it too; the old one now answers `revoked`).
    return jsonify({"result": "reissued", "registration_id": registration_id,
                    "ticket_url": codes.ticket_url(codes.code_for(ticket.code_id))})


api_schemas.register(MAX_BATCH)
