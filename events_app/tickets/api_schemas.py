"""OpenAPI operations of the check-in and ticket API (kept apart so api.py stays readable)."""
from __future__ import annotations

from ..api import document
from .outcomes import CheckInResult

_RESULTS = [r.value for r in CheckInResult]
_ERR = {"description": "Error: {error: {code, message, fields}}"}
_ERR_TOO_LARGE = {"description": "Body over MAX_CONTENT_LENGTH (1 MB): {error: {code: too_large, message}}"}
_AUTH = [{"bearerAuth": []}]
# Text, or a whole number (kept as its decimal text); any other JSON type is refused with 422 on `nonce`.
_NONCE = {"oneOf": [{"type": "string", "maxLength": 100}, {"type": "integer"}],
          "description": "retries with the same nonce return the first answer"}


def register(max_batch: int) -> None:
    """Describe the operations in the API's OpenAPI document (`max_batch`: the sync's scans a request)."""
    document("/checkin", "post", {
        "summary": "Check in a ticket (the QR's text exactly as scanned: full URL or bare code)",
        "security": _AUTH,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["code", "event"],
            "properties": {"code": {"type": "string"}, "event": {"type": "string", "description": "event slug"},
                           "nonce": _NONCE,
                           "session_id": {"type": "integer", "description": "check in to a breakout session"},
                           "device": {"type": "string"}}}}}},
        "responses": {"200": {"description": "The decision", "content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "result": {"type": "string", "enum": _RESULTS}, "message": {"type": "string"},
                "registration": {"type": "object", "nullable": True,
                                 "description": "name, name_kana, affiliation, company, ..."},
                "checked_in_at": {"type": "string", "format": "date-time", "nullable": True},
                "checked_in_by": {"type": "string", "nullable": True}, "conflict": {"type": "boolean"},
                "replayed": {"type": "boolean"},
                "undone": {"type": "boolean", "description": "a replayed admission undone since: checked_in_at/by "
                                                             "are then the state now (null if not checked in)"},
                "opens_at": {"type": "string", "format": "date-time",
                             "description": "too_early only: when the event's check-in window opens (in its zone); "
                                            "only an event with checkin_opens_minutes set has a window"}}}}}},
                      "401": _ERR, "403": _ERR, "404": _ERR, "413": _ERR_TOO_LARGE, "422": _ERR},
    })
    document("/checkin/undo", "post", {
        "summary": "Undo a check-in (kept in the history with the reason)", "security": _AUTH,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["registration_id", "reason"],
            "properties": {"registration_id": {"type": "integer"}, "reason": {"type": "string"},
                           "session_id": {"type": "integer"}}}}}},
        "responses": {"200": {"description": "Undone"}, "404": _ERR, "409": _ERR, "422": _ERR},
    })
    document("/checkin/sync", "post", {
        "summary": "Sync a device's offline scans (idempotent by nonce; late duplicates become conflicts; "
                   "entrance check-ins only: a scan with a session_id is refused on its line)",
        "security": _AUTH,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["event", "scans"],
            "properties": {"event": {"type": "string"}, "device": {"type": "string"},
                           "scans": {"type": "array", "maxItems": max_batch, "items": {
                               "type": "object", "required": ["nonce"],
                               "properties": {"nonce": _NONCE, "code": {"type": "string"},
                                              "registration_id": {"type": "integer"},
                                              "client_at": {"type": "string", "format": "date-time"}}}}}}}}},
        "responses": {"200": {"description": "One result per scan, in order (each as POST /checkin answers)"},
                      "413": _ERR_TOO_LARGE, "422": _ERR},
    })
    for path, summary in (("counts", "Checked in / expected, in person and online, and per breakout session "
                                     "(sessions: [{id, title, display_title, room, checked_in, expected}]: title as "
                                     "the event wrote it, display_title in the request's language, room as written); "
                                     "with ?since=<cursor> also {cursor, changes: [{id, status, checked_in_at, "
                                     "checked_in_by, online_joined_at, codes, revoked_codes, attendee?}], event: "
                                     "{starts_at, checkin_opens_at}}: the code hashes as the offline list has them, "
                                     "attendee (the whole offline record) only for a registration created since"),
                          ("search", "Find attendees by name, kana (hiragana or romaji too), email or company "
                                     "(?q=, at most 200 characters: 422 on q beyond)"),
                          ("offline", "Attendee list and ticket-code hashes for offline decisions")):
        document(f"/checkin/events/{{slug}}/{path}", "get", {
            "summary": summary, "security": _AUTH,
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}, "403": _ERR, "404": _ERR,
                          **({} if path == "offline" else {"422": _ERR})}})
    document("/tickets/{registration_id}/reissue", "post", {
        "summary": "Revoke the current ticket and issue a new one (operators)", "security": _AUTH,
        "parameters": [{"name": "registration_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "Re-issued"}, "403": _ERR, "404": _ERR, "409": _ERR}})
