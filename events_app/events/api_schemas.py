"""OpenAPI schemas and operations of the events API (kept apart so api.py stays readable)."""
from __future__ import annotations

from ..api import OPENAPI_SCHEMAS, document

REF = "#/components/schemas/"
KINDS = ["networking", "business_discussion", "webinar", "hybrid"]
STATUSES = ["draft", "published", "cancelled", "completed"]
AUDIENCE = ["alumni", "employee", "guest"]
HOST_ROLES = ["host", "speaker", "moderator"]
DT = {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"}
NDT = {**DT, "nullable": True}
NINT = {"type": "integer", "minimum": 0, "nullable": True}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        }}},
    },
    "Venue": {"type": "object", "description": (
        "Where attendees come in person. A webinar is online only and has no venue: its fields are empty "
        "(latitude and longitude null), and one given is refused (422 on venue.*)."), "properties": {
        "name": {"type": "string", "maxLength": 200}, "address": {"type": "string", "maxLength": 400},
        "map_url": {"type": "string", "format": "uri"},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90, "nullable": True},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180, "nullable": True},
    }},
    "Translations": {"type": "object", "description": "Title and description in the other language, keyed ja or en",
                     "additionalProperties": {"type": "object", "properties": {
                         "title": {"type": "string"}, "description": {"type": "string"}}}},
    "Host": {"type": "object", "description": (
        "A host or speaker. current_title and profile (Markdown) are in the event's language, each "
        "*_translation in its other language (empty: none); company and department are names, never "
        "translated."), "properties": {
        "id": {"type": "integer"}, "role": {"type": "string", "enum": HOST_ROLES},
        "name": {"type": "string"}, "name_kana": {"type": "string"}, "current_company": {"type": "string"},
        "current_title": {"type": "string"}, "current_title_translation": {"type": "string"},
        "former_department": {"type": "string"},
        "joined_year": {"type": "integer", "nullable": True}, "left_year": {"type": "integer", "nullable": True},
        "profile": {"type": "string"}, "profile_translation": {"type": "string"},
    }},
    "HostInput": {"type": "object", "additionalProperties": False, "properties": {
        "role": {"type": "string", "enum": HOST_ROLES, "default": "host"},
        "name": {"type": "string", "maxLength": 200}, "name_kana": {"type": "string", "maxLength": 200},
        "current_company": {"type": "string", "maxLength": 200}, "current_title": {"type": "string", "maxLength": 200},
        "current_title_translation": {"type": "string", "maxLength": 200},
        "former_department": {"type": "string", "maxLength": 200},
        "joined_year": {"type": "integer", "minimum": 1900, "maximum": 2100, "nullable": True},
        "left_year": {"type": "integer", "minimum": 1900, "maximum": 2100, "nullable": True},
        "profile": {"type": "string", "maxLength": 2000, "description": "Markdown"},
        "profile_translation": {"type": "string", "maxLength": 2000, "description": "Markdown"},
    }},
    "Session": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["timetable", "breakout"]},
        "title": {"type": "string"}, "title_translation": {"type": "string"}, "description": {"type": "string"},
        "starts_at": DT, "ends_at": DT, "room": {"type": "string"}, "capacity": NINT,
        "seats_left": NINT, "host": {"type": "object", "nullable": True, "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}},
        "online_url": {"type": "string", "description": "staff only"},
        "seats_taken": {"type": "integer", "description": "staff only"},
    }},
    "SessionInput": {"type": "object", "additionalProperties": False, "properties": {
        "kind": {"type": "string", "enum": ["timetable", "breakout"], "default": "breakout"},
        "title": {"type": "string", "maxLength": 200}, "title_translation": {"type": "string", "maxLength": 200},
        "description": {"type": "string"}, "starts_at": DT, "ends_at": DT, "room": {"type": "string"},
        "online_url": {"type": "string", "format": "uri"}, "capacity": NINT,
        "host_id": {"type": "integer", "nullable": True},
    }},
    "Question": {"type": "object", "description": (
        "A custom registration question. Answer it in `answers` under its id (as a string): text -> a "
        "string, single_choice -> one choice's `value`, multiple_choice -> a list of `value`s, yes_no -> "
        "true or false. Leave an optional question out."), "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["text", "single_choice", "multiple_choice", "yes_no"]},
        "label": {"type": "string", "description": "In the request's language when the event has a translation"},
        "required": {"type": "boolean"},
        "choices": {"type": "array", "description": "Empty for text and yes_no", "items": {
            "type": "object", "properties": {
                "value": {"type": "string", "description": "What to send; always the original choice"},
                "label": {"type": "string", "description": "What to show, translated when a translation exists"}}}},
        "max_length": {"type": "integer", "nullable": True, "description": "Longest text answer; null unless text"},
    }},
    "Event": {"type": "object", "properties": {
        "slug": {"type": "string"}, "kind": {"type": "string", "enum": KINDS},
        "status": {"type": "string", "enum": STATUSES}, "visibility": {"type": "string", "enum": ["listed", "unlisted"]},
        "language": {"type": "string", "enum": ["ja", "en"]}, "title": {"type": "string"},
        "description": {"type": "string", "description": "Markdown"}, "translations": {"$ref": REF + "Translations"},
        "timezone": {"type": "string", "example": "Asia/Tokyo"}, "starts_at": DT, "ends_at": DT,
        "venue": {"$ref": REF + "Venue"}, "online": {"type": "boolean"},
        "capacity": {**NINT, "description": "In-person seats (null: no limit). A webinar has none: always null"},
        "online_capacity": NINT, "seats_left": NINT, "online_seats_left": NINT,
        "waitlist_open": {"type": "boolean"}, "registration_opens_at": NDT, "registration_closes_at": NDT,
        "registration": {"type": "string", "enum": ["open", "not_open_yet", "closed", "cancelled", "ended", "draft"]},
        "audience": {"type": "array", "items": {"type": "string", "enum": AUDIENCE}},
        "requires_approval": {"type": "boolean"},
        "session_choice_required": {"type": "boolean", "description": "session_ids must name at least one breakout session"},
        "url": {"type": "string"}, "register_url": {"type": "string"},
        "ics_url": {"type": "string"}, "cancellation_reason": {"type": "string"},
        "sessions": {"type": "array", "items": {"$ref": REF + "Session"}},
        "hosts": {"type": "array", "items": {"$ref": REF + "Host"}},
        "questions": {"type": "array", "items": {"$ref": REF + "Question"}},
        "id": {"type": "integer", "description": "staff only"},
        "online_url": {"type": "string", "description": "staff only; never public"},
        "seats_taken": {"type": "integer", "description": "staff only"},
        "online_seats_taken": {"type": "integer", "description": "staff only"},
        "checkin_opens_minutes": {**NINT, "description": "staff only; the door's check-in window, minutes before "
                                  "the start (null: any time)"},
    }},
    "EventList": {"type": "object", "properties": {
        "events": {"type": "array", "items": {"$ref": REF + "Event"}}}},
}

_EVENT_INPUT_PROPS = {
    "title": {"type": "string", "maxLength": 200}, "kind": {"type": "string", "enum": KINDS},
    "starts_at": DT, "ends_at": DT, "timezone": {"type": "string", "example": "Asia/Tokyo"},
    "capacity": {**NINT, "description": "In-person seats (null: no limit). A webinar takes none (422 on capacity): "
                 "give its seats as online_capacity"},
    "online_capacity": NINT, "requires_approval": {"type": "boolean"},
    "session_choice_required": {"type": "boolean", "description": "Registrations must choose at least one breakout "
                                "session; a full one counts (waitlist). Staff entries are exempt (default false)"},
    "audience": {"type": "array", "items": {"type": "string", "enum": AUDIENCE}, "minItems": 1},
    "venue": {"allOf": [{"$ref": REF + "Venue"}], "nullable": True,
              "description": "null clears the venue, as turning an event into a webinar needs"},
    "online_url": {"type": "string", "format": "uri"},
    "status": {"type": "string", "enum": ["draft", "published"]},
    "slug": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 120},
    "description": {"type": "string", "maxLength": 20000}, "language": {"type": "string", "enum": ["ja", "en"]},
    "visibility": {"type": "string", "enum": ["listed", "unlisted"]},
    "translations": {"$ref": REF + "Translations"},
    "registration_opens_at": NDT, "registration_closes_at": NDT,
    "reminder_hours_before": {**NINT, "description": "Day-before reminder, hours before the start (null: none; default 24)"},
    "online_reminder_minutes_before": {**NINT, "description": "Online join-link reminder, minutes before (null: none; default 15)"},
    "survey_enabled": {"type": "boolean", "description": "Send the feedback survey to those who came (default true)"},
    "survey_closes_at": {**NDT, "description": "null: two weeks after the event"},
    "checkin_opens_minutes": {**NINT, "maximum": 10080, "description": "The door admits from this many minutes "
                              "before the start; earlier scans answer too_early (null: any time, the default)"},
}
SCHEMAS["EventInput"] = {"type": "object", "additionalProperties": False,
                         "required": ["title", "kind", "starts_at", "ends_at", "timezone"],
                         "properties": _EVENT_INPUT_PROPS}
SCHEMAS["EventPatch"] = {"type": "object", "additionalProperties": False,
                         "properties": {k: v for k, v in _EVENT_INPUT_PROPS.items() if k != "status"}}
SCHEMAS["CancelInput"] = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 2000}}}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": REF + schema}}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json("Error")}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
SESSION_ID = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "integer"}}
HOST_ID = {"name": "host_id", "in": "path", "required": True, "schema": {"type": "integer"}}
BEARER = [{"bearerAuth": []}]
AUTH_ERRORS = {"401": _error("No or invalid bearer token"), "403": _error("The token's role may not do this")}


def register() -> None:
    OPENAPI_SCHEMAS.update(SCHEMAS)
    document("/events", "get", {
        "summary": "List published, listed events (public fields only)", "tags": ["events"],
        "parameters": [
            {"name": "kind", "in": "query", "schema": {"type": "string", "enum": KINDS}},
            {"name": "when", "in": "query", "schema": {"type": "string", "enum": ["upcoming", "past"],
                                                        "default": "upcoming"}},
        ],
        "responses": {"200": {"description": "Events", "content": _json("EventList")},
                      "422": _error("Unknown filter value")},
    })
    document("/events", "post", {
        "summary": "Create an event", "tags": ["events"], "security": BEARER,
        "requestBody": {"required": True, "content": _json("EventInput")},
        "responses": {"201": {"description": "Created; includes the slug", "content": _json("Event")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS,
                      "409": _error("Slug taken"), "422": _error("Field errors")},
    })
    document("/events/{slug}", "get", {
        "summary": "Read one event: published ones publicly; drafts too with a staff token", "tags": ["events"],
        "parameters": [SLUG],
        "responses": {"200": {"description": "The event with sessions and hosts", "content": _json("Event")},
                      "401": _error("Invalid bearer token"), "404": _error("No such (public) event")},
    })
    document("/events/{slug}", "patch", {
        "summary": "Change some fields of an event", "tags": ["events"], "security": BEARER, "parameters": [SLUG],
        "requestBody": {"required": True, "content": _json("EventPatch")},
        "responses": {"200": {"description": "The updated event", "content": _json("Event")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS, "404": _error("No such event"),
                      "409": _error("Slug taken or the event is cancelled"), "422": _error("Field errors")},
    })
    for action, summary in (("publish", "Publish a draft"), ("cancel", "Cancel an event")):
        operation = {
            "summary": summary, "tags": ["events"], "security": BEARER, "parameters": [SLUG],
            "responses": {"200": {"description": "The event", "content": _json("Event")}, **AUTH_ERRORS,
                          "404": _error("No such event"), "409": _error("Not allowed in the event's state")},
        }
        if action == "cancel":
            operation["requestBody"] = {"required": False, "content": _json("CancelInput")}
            operation["responses"]["400"] = _error("Malformed JSON")
            operation["responses"]["422"] = _error("Reason too long")
        document(f"/events/{{slug}}/{action}", "post", operation)
    document("/events/{slug}/sessions", "post", {
        "summary": "Add a session (timetable item or breakout table)", "tags": ["sessions"], "security": BEARER,
        "parameters": [SLUG], "requestBody": {"required": True, "content": _json("SessionInput")},
        "responses": {"201": {"description": "The session", "content": _json("Session")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS, "404": _error("No such event"),
                      "409": _error("The event is cancelled"), "422": _error("Field errors")},
    })
    document("/events/{slug}/sessions/{session_id}", "patch", {
        "summary": "Change a session", "tags": ["sessions"], "security": BEARER, "parameters": [SLUG, SESSION_ID],
        "requestBody": {"required": True, "content": _json("SessionInput")},
        "responses": {"200": {"description": "The session", "content": _json("Session")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS, "404": _error("No such session"),
                      "409": _error("The event is cancelled"), "422": _error("Field errors")},
    })
    document("/events/{slug}/sessions/{session_id}", "delete", {
        "summary": "Remove a session nobody chose", "tags": ["sessions"], "security": BEARER,
        "parameters": [SLUG, SESSION_ID],
        "responses": {"204": {"description": "Removed"}, **AUTH_ERRORS, "404": _error("No such session"),
                      "409": _error("Attendees chose this session")},
    })
    document("/events/{slug}/hosts", "post", {
        "summary": "Add a host or speaker", "tags": ["hosts"], "security": BEARER,
        "parameters": [SLUG], "requestBody": {"required": True, "content": _json("HostInput")},
        "responses": {"201": {"description": "The host", "content": _json("Host")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS, "404": _error("No such event"),
                      "409": _error("The event is cancelled"), "422": _error("Field errors")},
    })
    document("/events/{slug}/hosts/{host_id}", "patch", {
        "summary": "Change a host (only the keys sent)", "tags": ["hosts"], "security": BEARER,
        "parameters": [SLUG, HOST_ID], "requestBody": {"required": True, "content": _json("HostInput")},
        "responses": {"200": {"description": "The host", "content": _json("Host")},
                      "400": _error("Malformed JSON"), **AUTH_ERRORS, "404": _error("No such host"),
                      "409": _error("The event is cancelled"), "422": _error("Field errors")},
    })
    document("/events/{slug}/hosts/{host_id}", "delete", {
        "summary": "Remove a host; their sessions stay, without a named host", "tags": ["hosts"],
        "security": BEARER, "parameters": [SLUG, HOST_ID],
        "responses": {"204": {"description": "Removed"}, **AUTH_ERRORS, "404": _error("No such host"),
                      "409": _error("The event is cancelled")},
    })
