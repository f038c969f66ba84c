"""JSON API routes for events, their sessions and their hosts (/api/v1/events...)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from ..api import api_bp, json_body
from ..auth.permissions import current_staff, staff_for_bearer, token_required
from ..enums import EventKind, Role, Visibility
from ..errors import NotFound, ValidationError
from ..extensions import limiter
from . import api_schemas, programme, queries, services
from .serialize import event_json, host_json, session_json

api_schemas.register()
STAFF = (Role.ADMIN, Role.OPERATOR)
api_limit = limiter.limit(lambda: current_app.config["RATELIMIT_API"])

STRING_FIELDS = ("title", "kind", "timezone", "online_url", "status", "slug", "description", "language", "visibility")
PASSTHROUGH = ("capacity", "online_capacity", "requires_approval", "session_choice_required", "audience",
               "reminder_hours_before", "online_reminder_minutes_before", "survey_enabled", "checkin_opens_minutes")
DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "survey_closes_at")
VENUE_FIELDS = {"name": "venue_name", "address": "venue_address", "map_url": "venue_map_url",
                "latitude": "venue_latitude", "longitude": "venue_longitude"}
EVENT_KEYS = frozenset(STRING_FIELDS + PASSTHROUGH + DATETIME_FIELDS + ("venue", "translations"))
SESSION_STRINGS = ("kind", "title", "title_translation", "description", "room", "online_url")
SESSION_KEYS = frozenset(SESSION_STRINGS + ("starts_at", "ends_at", "capacity", "host_id"))
HOST_STRINGS = ("role", "name", "name_kana", "current_company", "current_title", "current_title_translation",
                "former_department", "profile", "profile_translation")
HOST_KEYS = frozenset(HOST_STRINGS + ("joined_year", "left_year"))


# Stands for a datetime that did not parse: the service reports "enter a date", not "required".
UNPARSED = "unparsed"


def _invalid(errors: dict[str, list[str]]) -> ValidationError:
    return ValidationError(_("Some fields need attention."), fields=errors)


def parse_datetime(errors: dict, field: str, value: Any) -> datetime | None:
    """ISO 8601 with an offset; a time without one is ambiguous, so it is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append(_("Give a date and time as an ISO 8601 string."))
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Not an ISO 8601 date and time, e.g. 2026-12-01T19:00:00+09:00."))
        return None
    if parsed.tzinfo is None:
        errors.setdefault(field, []).append(_("Include the UTC offset, e.g. 2026-12-01T19:00:00+09:00."))
        return None
    return parsed


def _strings(errors: dict, body: dict, names, out: dict) -> None:
    for name in names:
        if name in body:
            value = body[name]
            if value is not None and not isinstance(value, str):
                errors.setdefault(name, []).append(_("Give text here."))
            else:
                out[name] = value or ""


def _unknown(errors: dict, body: dict, allowed: frozenset) -> None:
    for key in sorted(set(body) - allowed):
        errors.setdefault(key, []).append(_("Unknown field."))


def event_input(body: dict[str, Any], errors: dict[str, list[str]], *, language: str = "ja") -> dict[str, Any]:
    """Turn the API's JSON into the service's field names; what is malformed or unknown goes to
    `errors`, the rest is returned (so the service can report its own findings on it too)."""
    out: dict[str, Any] = {}
    _unknown(errors, body, EVENT_KEYS)
    _strings(errors, body, STRING_FIELDS, out)
    for name in PASSTHROUGH:
        if name in body:
            out[name] = body[name]
    for name in DATETIME_FIELDS:
        if name in body:
            out[name] = parse_datetime(errors, name, body[name])
            if name in errors:
                out[name] = UNPARSED
    if "venue" in body:
        venue = body["venue"]
        if venue is None:  # null clears the venue (a PATCH turning an event into a webinar needs that)
            venue = dict.fromkeys(VENUE_FIELDS)
        if not isinstance(venue, dict):
            errors.setdefault("venue", []).append(_("Give the venue as an object with name, address, map_url, "
                                                    "latitude and longitude."))
        else:
            for key in sorted(set(venue) - set(VENUE_FIELDS)):
                errors.setdefault(f"venue.{key}", []).append(_("Unknown field."))
            for key, field in VENUE_FIELDS.items():
                if key in venue:
                    out[field] = venue[key]
    if "translations" in body:
        translations = body["translations"] or {}
        other = "en" if (out.get("language") or language) == "ja" else "ja"
        if not isinstance(translations, dict) or set(translations) - {other} or \
                not all(isinstance(t, dict) for t in translations.values()):
            errors.setdefault("translations", []).append(
                _("Give translations as {\"%(lang)s\": {\"title\": ..., \"description\": ...}}.", lang=other))
        else:
            translation = translations.get(other, {})
            out["title_translation"] = translation.get("title") or ""
            out["description_translation"] = translation.get("description") or ""
    return out


def _all_faults(parse_errors: dict[str, list[str]], check, rename=lambda err: err) -> ValidationError:
    """The input's own faults (unknown keys, wrong types) and what `check` — a service's
    validation, which saves nothing — finds in the rest, so a client fixes everything in one round."""
    fields: dict[str, list[str]] = {}
    try:
        check()
    except ValidationError as err:
        fields = rename(err).fields
    fields.update(parse_errors)  # a field that did not parse: its own message says it better
    return _invalid(fields)


def _prefixed(err: ValidationError) -> ValidationError:
    """Service field names back to the API's (venue_name -> venue.name)."""
    reverse = {field: f"venue.{key}" for key, field in VENUE_FIELDS.items()}
    reverse.update({"title_translation": "translations", "description_translation": "translations"})
    err.fields = {reverse.get(k, k): val for k, val in err.fields.items()}
    return err


def _staff_from_header():
    """A staff user when a valid operator token is sent; 401 for a bad token; None without one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    user = staff_for_bearer(header)
    return user if user.role in STAFF else None


def _event_response(event, status: int = 200):
    response = jsonify(event_json(event, staff=True))
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for("api.get_event", slug=event.slug)
    return response


@api_bp.get("/events")
@api_limit
def list_events():
    errors: dict[str, list[str]] = {}
    kind = request.args.get("kind") or None
    if kind is not None and kind not in {k.value for k in EventKind}:
        errors["kind"] = [_("Choose one of: %(allowed)s.", allowed=", ".join(k.value for k in EventKind))]
    when = request.args.get("when", "upcoming")
    if when not in ("upcoming", "past"):
        errors["when"] = [_("Choose upcoming or past.")]
    if errors:
        raise _invalid(errors)
    events = queries.public_events(kind=EventKind(kind) if kind else None, when=when, with_cancelled=False)
    return jsonify({"events": [event_json(e, detail=False) for e in events]})


@api_bp.get("/events/<slug>")
@api_limit
def get_event(slug: str):
    staff = _staff_from_header()
    event = services.event_by_slug(slug)
    if staff is None and not services.is_publicly_visible(event):
        raise NotFound(_("No such event."))
    return jsonify(event_json(event, staff=staff is not None))


@api_bp.post("/events")
@api_limit
@token_required(*STAFF)
def create_event():
    errors: dict[str, list[str]] = {}
    data = event_input(json_body(), errors)
    data.setdefault("visibility", Visibility.LISTED)
    if errors:
        raise _all_faults(errors, lambda: services.clean_new_event(data), _prefixed)
    try:
        event = services.create_event(data, actor=current_staff())
    except ValidationError as err:
        raise _prefixed(err)
    return _event_response(event, 201)


@api_bp.patch("/events/<slug>")
@api_limit
@token_required(*STAFF)
def update_event(slug: str):
    event = services.event_by_slug(slug)
    errors: dict[str, list[str]] = {}
    changes = event_input(json_body(), errors, language=event.language)
    if "status" in changes and changes["status"] != event.status.value:
        errors["status"] = [_("Change the status with /publish or /cancel.")]
    changes.pop("status", None)
    if errors:
        raise _all_faults(errors, lambda: services.clean_update(event, changes), _prefixed)
    try:
        event = services.update_event(event.id, changes, actor=current_staff())
    except ValidationError as err:
        raise _prefixed(err)
    return _event_response(event)


@api_bp.post("/events/<slug>/publish")
@api_limit
@token_required(*STAFF)
def publish_event(slug: str):
    event = services.event_by_slug(slug)
    return _event_response(services.publish_event(event.id, actor=current_staff()))


@api_bp.post("/events/<slug>/cancel")
@api_limit
@token_required(*STAFF)
def cancel_event(slug: str):
    event = services.event_by_slug(slug)
    body = json_body() if request.get_data() else {}
    reason = body.get("reason") or ""
    if not isinstance(reason, str):
        raise _invalid({"reason": [_("Give text here.")]})
    event = services.cancel_event(event.id, actor=current_staff(), reason=reason)
    return _event_response(event)


def session_input(body: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _unknown(errors, body, SESSION_KEYS)
    _strings(errors, body, SESSION_STRINGS, out)
    for name in ("starts_at", "ends_at"):
        if name in body:
            out[name] = parse_datetime(errors, name, body[name])
            if name in errors:
                out[name] = UNPARSED
    for name in ("capacity", "host_id"):
        if name in body:
            out[name] = body[name]
    return out


@api_bp.post("/events/<slug>/sessions")
@api_limit
@token_required(*STAFF)
def add_session(slug: str):
    event = services.event_by_slug(slug)
    errors: dict[str, list[str]] = {}
    data = session_input(json_body(), errors)
    if errors:
        raise _all_faults(errors, lambda: programme.clean_session(event, data))
    session = programme.add_session(event.id, data, actor=current_staff())
    return jsonify(session_json(session, event.tz, staff=True)), 201


@api_bp.patch("/events/<slug>/sessions/<int:session_id>")
@api_limit
@token_required(*STAFF)
def update_session(slug: str, session_id: int):
    event = services.event_by_slug(slug)
    errors: dict[str, list[str]] = {}
    changes = session_input(json_body(), errors)
    if errors:
        raise _all_faults(errors, lambda: programme.clean_session_update(event.id, session_id, changes))
    session = programme.update_session(event.id, session_id, changes, actor=current_staff())
    return jsonify(session_json(session, event.tz, staff=True))


@api_bp.delete("/events/<slug>/sessions/<int:session_id>")
@api_limit
@token_required(*STAFF)
def delete_session(slug: str, session_id: int):
    event = services.event_by_slug(slug)
    programme.remove_session(event.id, session_id, actor=current_staff())
    return "", 204


def host_input(body: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _unknown(errors, body, HOST_KEYS)
    _strings(errors, body, HOST_STRINGS, out)
    for name in ("joined_year", "left_year"):
        if name in body:
            out[name] = body[name]
    return out


@api_bp.post("/events/<slug>/hosts")
@api_limit
@token_required(*STAFF)
def add_host(slug: str):
    event = services.event_by_slug(slug)
    errors: dict[str, list[str]] = {}
    data = host_input(json_body(), errors)
    if errors:
        raise _all_faults(errors, lambda: programme.clean_host(data))
    host = programme.add_host(event.id, data, actor=current_staff())
    return jsonify(host_json(host)), 201


@api_bp.patch("/events/<slug>/hosts/<int:host_id>")
@api_limit
@token_required(*STAFF)
def update_host(slug: str, host_id: int):
    event = services.event_by_slug(slug)
    errors: dict[str, list[str]] = {}
    changes = host_input(json_body(), errors)
    if errors:
        raise _all_faults(errors, lambda: programme.clean_host_update(event.id, host_id, changes))
    host = programme.update_host(event.id, host_id, changes, actor=current_staff())
    return jsonify(host_json(host))


@api_bp.delete("/events/<slug>/hosts/<int:host_id>")
@api_limit
@token_required(*STAFF)
def delete_host(slug: str, host_id: int):
    event = services.event_by_slug(slug)
    programme.remove_host(event.id, host_id, actor=current_staff())
    return "", 204
