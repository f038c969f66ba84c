"""JSON API routes of the registration capability (added to events_app.api.api_bp)."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext as _
import sqlalchemy as sa
from sqlalchemy import select

from ..api import OPENAPI_SCHEMAS, api_bp, document, json_body
from ..auth.permissions import current_staff, token_required
from ..enums import RegistrationStatus, Role
from ..errors import NotFound, ValidationError
from ..events.models import Event
from ..extensions import db, limiter
from . import attendance_switch, services
from .links import links_for_token, registration_links
from .registering_event import registering_event
from .models import Registration


_EVENT_BY_SLUG = select(Event).where(Event.slug == sa.bindparam("slug"))


def _event_or_404(slug: str) -> Event:
    event = db.session.scalars(_EVENT_BY_SLUG, {"slug": slug}).one_or_none()
    if event is None:
        raise NotFound(_("We could not find that event."))
    return event


def _registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("We could not find that registration."))
    return registration


def _language() -> str:
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "ja"


def registration_json(registration: Registration, *, links: dict | None = None, staff: bool = False) -> dict:
    body = {
        "id": registration.id,
        "status": registration.status.value,
        "waitlist_position": services.waitlist_position(registration),
        "attendance": registration.attendance_mode.value,
    }
    if links is not None:
        body["links"] = links
    if staff:
        person = registration.person
        body.update({
            "event": registration.event.slug,
            "name": person.name, "name_kana": person.name_kana, "email": person.email,
            "affiliation": person.affiliation.value, "company": person.company, "job_title": person.job_title,
            "department": person.department, "former_department": person.former_department,
            "joined_year": person.joined_year, "left_year": person.left_year,
            "language": registration.language, "source": registration.source,
            "session_ids": sorted(c.session_id for c in registration.session_choices),
            "sessions": [{"id": c.session_id, "status": c.status.value,
                          "waitlist_position": services.session_waitlist_position(c)}
                         for c in sorted(registration.session_choices, key=lambda c: c.session_id)],
            "answers": {str(a.question_id): a.value for a in registration.answers},
            "decision_message": registration.decision_message,
            "created_at": registration.created_at.isoformat(),
            "confirmed_at": registration.confirmed_at.isoformat() if registration.confirmed_at else None,
            "cancelled_at": registration.cancelled_at.isoformat() if registration.cancelled_at else None,
            "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None,
        })
    return body


@api_bp.route("/events/<slug>/registrations", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_REGISTRATION"])
def create_registration(slug: str):
    # What registering reads of the event, not the whole ORM object (see registering_event).
    event = registering_event(slug)
    if event is None:
        raise NotFound(_("We could not find that event."))
    data = json_body()
    language = data.get("language") if data.get("language") in current_app.config["LANGUAGES"] else _language()
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key.strip()) <= 64):
        raise ValidationError(_("Idempotency-Key must be 1 to 64 characters."),
                              fields={"Idempotency-Key": [_("Use 1 to 64 characters.")]})
    result = services.register(event, data, source="api", idempotency_key=key, language=language)
    body = {"id": result.registration_id, "status": result.status.value,
            "waitlist_position": result.waitlist_position, "attendance": result.attendance,
            "links": links_for_token(result.token) if result.token else registration_links(result.registration)}
    return jsonify(body), (201 if result.created else 200)


@api_bp.route("/events/<slug>/registrations", methods=["GET"])
@token_required(Role.ADMIN, Role.OPERATOR)
def list_registrations(slug: str):
    event = _event_or_404(slug)
    stmt = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    status = request.args.get("status")
    if status:
        try:
            stmt = stmt.where(Registration.status == RegistrationStatus(status))
        except ValueError:
            raise ValidationError(_("Unknown status."), fields={"status": [
                _("Use one of: %(values)s.", values=", ".join(s.value for s in RegistrationStatus))]})
    items = [registration_json(r, staff=True) for r in db.session.scalars(stmt)]
    return jsonify({"event": event.slug, "count": len(items), "registrations": items})


def _staff_action(registration_id: int, action: str):
    registration = _registration_or_404(registration_id)
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        data = {}
    message = data.get("message") or data.get("reason") or ""
    if not isinstance(message, str):
        raise ValidationError(_("The message must be text."), fields={"message": [_("This must be text.")]})
    actor = current_staff()
    if action == "approve":
        registration = services.approve(registration, actor=actor, message=message)
    elif action == "reject":
        registration = services.reject(registration, actor=actor, message=message)
    elif action == "cancel":
        registration = services.cancel(registration, actor=actor, reason=message)
    else:
        registration = services.promote(registration, actor=actor)
    db.session.expire_all()
    return jsonify(registration_json(db.session.get(Registration, registration.id), staff=True))


@api_bp.route("/registrations/<int:registration_id>/approve", methods=["POST"])
@token_required(Role.ADMIN, Role.OPERATOR)
def approve_registration(registration_id: int):
    return _staff_action(registration_id, "approve")


@api_bp.route("/registrations/<int:registration_id>/reject", methods=["POST"])
@token_required(Role.ADMIN, Role.OPERATOR)
def reject_registration(registration_id: int):
    return _staff_action(registration_id, "reject")


@api_bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
@token_required(Role.ADMIN, Role.OPERATOR)
def cancel_registration(registration_id: int):
    return _staff_action(registration_id, "cancel")


@api_bp.route("/registrations/<int:registration_id>/promote", methods=["POST"])
@token_required(Role.ADMIN, Role.OPERATOR)
def promote_registration(registration_id: int):
    return _staff_action(registration_id, "promote")


@api_bp.route("/registrations/<int:registration_id>/attendance", methods=["POST"])
@token_required(Role.ADMIN, Role.OPERATOR)
def switch_registration_attendance(registration_id: int):
    """A hybrid event's registration to in person or online, as the operators' page switches it."""
    registration = _registration_or_404(registration_id)
    data = json_body()
    join_waitlist = data.get("join_waitlist", False)
    if not isinstance(join_waitlist, bool):
        raise ValidationError(_("join_waitlist must be true or false."),
                              fields={"join_waitlist": [_("Use true or false.")]})
    result = attendance_switch.require_change(attendance_switch.switch_attendance(
        registration, data.get("attendance", ""), actor=current_staff(), join_waitlist=join_waitlist))
    db.session.expire_all()
    body = registration_json(db.session.get(Registration, result.registration.id), staff=True)
    body.update(outcome=result.outcome.value, promoted=result.promoted)
    return jsonify(body)


# --- OpenAPI ---------------------------------------------------------------------------

OPENAPI_SCHEMAS["RegistrationRequest"] = {
    "type": "object",
    "required": ["name", "email", "affiliation", "consent"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "name_kana": {"type": "string", "maxLength": 200, "description": "Katakana or hiragana; stored as katakana"},
        "email": {"type": "string", "format": "email"},
        "affiliation": {"type": "string", "enum": ["alumni", "employee", "guest"]},
        "company": {"type": "string"}, "job_title": {"type": "string"},
        "department": {"type": "string"}, "former_department": {"type": "string"},
        "joined_year": {"type": "integer", "minimum": 1900, "description": "Not after the current year"},
        "left_year": {"type": "integer", "minimum": 1900, "description": "Not after the current year"},
        "attendance": {"type": "string", "enum": ["in_person", "online"], "description": "Required for hybrid events"},
        "session_ids": {"type": "array", "items": {"type": "integer"}},
        "answers": {"type": "object", "additionalProperties": True,
                    "description": "Keyed by question id; the event's `questions` (GET /events/{slug}) "
                                   "list the ids, kinds and choice values"},
        "consent": {"type": "boolean"},
        "language": {"type": "string", "enum": ["ja", "en"]},
    },
}
OPENAPI_SCHEMAS["RegistrationCreated"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["confirmed", "waitlisted", "pending"]},
        "waitlist_position": {"type": "integer", "nullable": True},
        "attendance": {"type": "string"},
        "links": {"type": "object", "properties": {k: {"type": "string", "format": "uri"}
                                                   for k in ("manage", "calendar", "ticket_qr")}},
    },
}
_error = {"$ref": "#/components/schemas/Error"}
OPENAPI_SCHEMAS.setdefault("Error", {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}}})

document("/events/{slug}/registrations", "post", {
    "summary": "Register for an event (public, no CSRF token)",
    "operationId": "createRegistration",
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 64},
         "description": "Repeat a request with the same key to get the first answer instead of a second registration"},
    ],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/RegistrationRequest"}}}},
    "responses": {
        "201": {"description": "Registered", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/RegistrationCreated"}}}},
        "200": {"description": "Replay of an earlier request with the same Idempotency-Key"},
        "400": {"description": "malformed_request", "content": {"application/json": {"schema": _error}}},
        "403": {"description": "audience_not_allowed", "content": {"application/json": {"schema": _error}}},
        "409": {"description": "already_registered (the link is mailed to the address)",
                "content": {"application/json": {"schema": _error}}},
        "410": {"description": "registration_closed", "content": {"application/json": {"schema": _error}}},
        "422": {"description": "validation_error with fields", "content": {"application/json": {"schema": _error}}},
        "429": {"description": "rate_limited"},
    },
})
document("/events/{slug}/registrations", "get", {
    "summary": "List an event's registrations (staff token)",
    "operationId": "listRegistrations",
    "security": [{"bearerAuth": []}],
    "parameters": [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "status", "in": "query", "required": False,
         "schema": {"type": "string", "enum": [s.value for s in RegistrationStatus]}},
    ],
    "responses": {"200": {"description": "Registrations"}, "401": {"description": "unauthorized"},
                  "403": {"description": "forbidden"}},
})
for _action, _summary in (("approve", "Approve a pending registration"),
                          ("reject", "Decline a pending or waitlisted registration (optional `message`)"),
                          ("cancel", "Cancel a registration (optional `reason`); the next in line is promoted"),
                          ("promote", "Promote a waitlisted registration by hand")):
    document(f"/registrations/{{registration_id}}/{_action}", "post", {
        "summary": _summary,
        "operationId": f"{_action}Registration",
        "security": [{"bearerAuth": []}],
        "parameters": [{"name": "registration_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"message": {"type": "string"}, "reason": {"type": "string"}}}}}},
        "responses": {"200": {"description": "The registration after the change"},
                      "404": {"description": "not_found"}, "409": {"description": "invalid_state or event_full"}},
    })
document("/registrations/{registration_id}/attendance", "post", {
    "summary": "Switch a hybrid event's registration between in person and online",
    "description": "Confirmed where the other side has a place, the seat left going to the next in line; "
                   "a full side refuses and nothing changes (a waitlisted registration with `join_waitlist` "
                   "moves to the end of the other side's waitlist instead). The attendee is mailed.",
    "operationId": "switchRegistrationAttendance",
    "security": [{"bearerAuth": []}],
    "parameters": [{"name": "registration_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["attendance"],
        "properties": {"attendance": {"type": "string", "enum": ["in_person", "online"]},
                       "join_waitlist": {"type": "boolean", "default": False}}}}}},
    "responses": {
        "200": {"description": "The registration after the switch, with `outcome` (confirmed, pending, "
                               "waitlisted) and `promoted` (people who took the place given back)"},
        "400": {"description": "malformed_request", "content": {"application/json": {"schema": _error}}},
        "401": {"description": "unauthorized"}, "403": {"description": "forbidden"},
        "404": {"description": "not_found", "content": {"application/json": {"schema": _error}}},
        "409": {"description": "event_full (the other side is full), already_attending (already in that mode), "
                               "invalid_state (not hybrid, cancelled, past, checked in)",
                "content": {"application/json": {"schema": _error}}},
        "422": {"description": "validation_error: `attendance` or `join_waitlist`",
                "content": {"application/json": {"schema": _error}}},
    },
})
