"""JSON API routes for operators' messages to an event's registrants: preview, send once, history.

The same services as the pages (`registration.messages`), fed by the same parser
(`registration.message_input`).
"""
from __future__ import annotations

from flask import jsonify

from ..api import OPENAPI_SCHEMAS, api_bp, document, json_body
from ..auth.permissions import current_staff, token_required
from ..enums import MessageCancelReason, MessageStatus, Role
from . import message_recipients, message_schedule, messages
from .api import _event_or_404
from .message_input import IDEMPOTENCY_KEY_MAX, idempotency_key, json_message_values
from .messages import MessageHistoryRow

OPERATORS = (Role.ADMIN, Role.OPERATOR)


def _recipients_json(filters: dict) -> dict:
    # Stored as `session_id`; answered under the request's name, so a client can send it back as is.
    recipients = {name: value for name, value in filters.items() if name != "session_id"}
    recipients["session"] = filters.get("session_id")
    return recipients


def message_json(row: MessageHistoryRow) -> dict:
    message = row.message
    return {
        "id": message.id, "subject": message.subject, "body": message.body,
        "subject_en": message.subject_en, "body_en": message.body_en,
        "sent_at": message.sent_at.isoformat() if message.sent_at else None, "sent_by": message.sent_by_label,
        "recipients": _recipients_json(message.filters or {}), "recipient_count": message.recipient_count,
        # A sent message's `status` is its mails' delivery (as before scheduling existed); a scheduled
        # or cancelled one has no mails, so its status says that instead.
        "status": row.delivery.value if message.status == MessageStatus.SENT else message.status.value,
        "message_status": message.status.value,
        "send_at": message.send_at.isoformat() if message.send_at else None,
        "cancel_reason": message.cancel_reason.value if message.cancel_reason else None,
        "delivered": row.delivered, "waiting": row.waiting, "not_delivered": row.failed,
    }


@api_bp.route("/events/<slug>/messages/preview", methods=["POST"])
@token_required(*OPERATORS)
def preview_event_message(slug: str):
    event = _event_or_404(slug)
    preview = messages.preview_message(event, json_message_values(json_body()))
    return jsonify({
        "event": event.slug, "count": preview.count, "count_by_language": preview.count_by_language,
        "recipients": _recipients_json(preview.recipients.as_dict()),
        "mails": [{"language": m.language, "subject": m.subject, "text": m.text} for m in preview.mails],
    })


@api_bp.route("/events/<slug>/messages", methods=["POST"])
@token_required(*OPERATORS)
def send_event_message(slug: str):
    event = _event_or_404(slug)
    data = json_body()
    key = idempotency_key(data)
    result = message_schedule.submit_message(event, json_message_values(data), actor=current_staff(),
                                             idempotency_key=key)
    return jsonify(message_json(messages.message_progress(result.message))), (201 if result.created else 200)


@api_bp.route("/events/<slug>/messages/<int:message_id>/cancel", methods=["POST"])
@token_required(*OPERATORS)
def cancel_event_message(slug: str, message_id: int):
    event = _event_or_404(slug)
    message = message_recipients.message_of_event(event, message_id)
    message_schedule.cancel_scheduled_message(message, actor=current_staff())
    return jsonify(message_json(messages.message_progress(message)))


@api_bp.route("/events/<slug>/messages", methods=["GET"])
@token_required(*OPERATORS)
def list_event_messages(slug: str):
    event = _event_or_404(slug)
    items = [message_json(row) for row in messages.message_history(event)]
    return jsonify({"event": event.slug, "count": len(items), "messages": items})


# --- OpenAPI ---------------------------------------------------------------------------

_error = {"$ref": "#/components/schemas/Error"}
_slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_recipients = {
    "statuses": {"type": "array", "items": {"type": "string", "enum": ["confirmed", "waitlisted", "pending"]},
                 "description": "Default [\"confirmed\"]; cancelled and declined registrations are never included"},
    "attendance": {"type": "string", "nullable": True, "enum": ["in_person", "online", "", None]},
    "affiliation": {"type": "string", "nullable": True, "enum": ["alumni", "employee", "guest", "", None]},
    "session": {"type": "integer", "nullable": True, "description": "One of the event's sessions (breakouts)"},
    "attended": {"type": "string", "nullable": True, "enum": ["yes", "no", "", None],
                 "description": "Came or not: only once the event has started"},
}
OPENAPI_SCHEMAS["RegistrantMessageRequest"] = {
    "type": "object",
    "required": ["subject", "body"],
    "properties": {
        "subject": {"type": "string"}, "body": {"type": "string", "description": "Plain text"},
        "subject_en": {"type": "string", "description": "For English readers; with body_en or not at all"},
        "body_en": {"type": "string"},
        "send_at": {"type": "string", "format": "date-time", "nullable": True,
                    "description": "ISO 8601 with a zone, in the future and before the event ends: stored as "
                                   "scheduled, recipients chosen when it is sent. Omitted or null: sent now"},
        **_recipients,
    },
}
OPENAPI_SCHEMAS["RegistrantMessage"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "subject": {"type": "string"}, "body": {"type": "string"},
        "subject_en": {"type": "string"}, "body_en": {"type": "string"},
        "sent_at": {"type": "string", "format": "date-time", "nullable": True}, "sent_by": {"type": "string"},
        "recipients": {"type": "object", "properties": _recipients}, "recipient_count": {"type": "integer"},
        "status": {"type": "string", "enum": [d.value for d in messages.Delivery] + ["scheduled", "cancelled"],
                   "description": "A sent message's delivery; `scheduled` or `cancelled` for one not sent"},
        "message_status": {"type": "string", "enum": [s.value for s in MessageStatus]},
        "send_at": {"type": "string", "format": "date-time", "nullable": True,
                    "description": "The time a scheduled message goes out (null: sent at once)"},
        "cancel_reason": {"type": "string", "nullable": True, "enum": [r.value for r in MessageCancelReason] + [None]},
        "delivered": {"type": "integer"}, "waiting": {"type": "integer"}, "not_delivered": {"type": "integer"},
    },
}
_message = {"$ref": "#/components/schemas/RegistrantMessage"}
_refusals = {
    "400": {"description": "malformed_request", "content": {"application/json": {"schema": _error}}},
    "401": {"description": "unauthorized"}, "403": {"description": "forbidden"},
    "404": {"description": "not_found", "content": {"application/json": {"schema": _error}}},
    "422": {"description": "validation_error with fields (text, filters, idempotency_key), or no one matches "
                           "the recipients", "content": {"application/json": {"schema": _error}}},
}

document("/events/{slug}/messages/preview", "post", {
    "summary": "Count a message's recipients by language and render it, without sending (staff token)",
    "operationId": "previewRegistrantMessage",
    "security": [{"bearerAuth": []}],
    "parameters": [_slug],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/RegistrantMessageRequest"}}}},
    "responses": {"200": {"description": "`count`, `count_by_language`, `recipients`, and `mails` "
                                         "(language, subject, text) as readers of each language get them"},
                  **_refusals},
})
document("/events/{slug}/messages", "post", {
    "summary": "Send a message to an event's registrants: one outbox mail each (staff token)",
    "operationId": "sendRegistrantMessage",
    "security": [{"bearerAuth": []}],
    "parameters": [_slug],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"allOf": [
        {"$ref": "#/components/schemas/RegistrantMessageRequest"},
        {"type": "object", "required": ["idempotency_key"], "properties": {
            "idempotency_key": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX,
                                "description": "New for each message; the same key again answers the first "
                                               "send instead of sending twice"}}}]}}}},
    "responses": {"201": {"description": "Sent: queued in the outbox", "content": {"application/json": {
                      "schema": _message}}},
                  "200": {"description": "The message sent earlier with this idempotency_key; nothing new was "
                                         "queued", "content": {"application/json": {"schema": _message}}},
                  **_refusals},
})
document("/events/{slug}/messages/{message_id}/cancel", "post", {
    "summary": "Cancel a scheduled message before it is sent (staff token)",
    "operationId": "cancelRegistrantMessage",
    "security": [{"bearerAuth": []}],
    "parameters": [_slug, {"name": "message_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "Cancelled", "content": {"application/json": {"schema": _message}}},
                  "409": {"description": "conflict: sent or cancelled already",
                          "content": {"application/json": {"schema": _error}}},
                  "401": {"description": "unauthorized"}, "403": {"description": "forbidden"},
                  "404": {"description": "not_found", "content": {"application/json": {"schema": _error}}}},
})
document("/events/{slug}/messages", "get", {
    "summary": "Messages sent to an event's registrants, newest first, with their mails' delivery (staff token)",
    "operationId": "listRegistrantMessages",
    "security": [{"bearerAuth": []}],
    "parameters": [_slug],
    "responses": {"200": {"description": "`messages`: RegistrantMessage items"},
                  "401": {"description": "unauthorized"}, "403": {"description": "forbidden"},
                  "404": {"description": "not_found"}},
})
