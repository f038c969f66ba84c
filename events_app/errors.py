"""Typed domain errors with stable codes, and the handlers that turn them into responses."""
from __future__ import annotations

import enum
import re
from collections.abc import Callable
from http import HTTPStatus

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class ErrorCode(enum.StrEnum):
    VALIDATION = "validation_error"
    MALFORMED = "malformed_request"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    SLUG_TAKEN = "slug_taken"
    INVALID_STATE = "invalid_state"
    ALREADY_REGISTERED = "already_registered"
    REGISTRATION_CLOSED = "registration_closed"
    AUDIENCE_NOT_ALLOWED = "audience_not_allowed"
    EVENT_FULL = "event_full"
    ALREADY_ATTENDING = "already_attending"
    SESSION_FULL = "session_full"
    RATE_LIMITED = "rate_limited"
    DEPENDENCY_MISSING = "dependency_missing"


STATUS_FOR_CODE: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION: 422,
    ErrorCode.MALFORMED: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.SLUG_TAKEN: 409,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.ALREADY_REGISTERED: 409,
    ErrorCode.REGISTRATION_CLOSED: 410,
    ErrorCode.AUDIENCE_NOT_ALLOWED: 403,
    ErrorCode.EVENT_FULL: 409,
    ErrorCode.ALREADY_ATTENDING: 409,
    ErrorCode.SESSION_FULL: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.DEPENDENCY_MISSING: 503,
}


class DomainError(Exception):
    """A rule of the domain was not met. `message` is already translated (or translatable)."""

    code: ErrorCode = ErrorCode.INVALID_STATE

    def __init__(self, message: str, *, code: ErrorCode | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code is not None:
            self.code = code
        self.fields = fields or {}

    @property
    def status(self) -> int:
        return STATUS_FOR_CODE.get(self.code, 409)


class ValidationError(DomainError):
    code = ErrorCode.VALIDATION


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    code = ErrorCode.FORBIDDEN


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


# The door screen's own JSON endpoints (/checkin/<slug>/api/...): its script reads every answer as JSON.
_DOOR_API = re.compile(r"^/checkin/[^/]+/api/")


def wants_json() -> bool:
    if request.path.startswith("/api/") or _DOOR_API.match(request.path):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


# A body over MAX_CONTENT_LENGTH on an endpoint listed here gets that endpoint's own message (a
# callable taking the limit in readable units, e.g. "send at most 500 scans"): capabilities add
# their endpoints, so this module names none of them.
TOO_LARGE_MESSAGES: dict[str, Callable[[str], str]] = {}


def readable_size(size: int) -> str:
    """A byte count as people read it: "1 MB", "1.5 MB", "512 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{-(-size // 1024)} KB"


def too_large_message(limit: int | None) -> str:
    from flask_babel import gettext as _

    if not limit:
        return _("The request is too large.")
    readable = readable_size(limit)
    specific = TOO_LARGE_MESSAGES.get(request.endpoint or "")
    return specific(readable) if specific else _("The request is too large: send at most %(limit)s.", limit=readable)


def error_json(code: str, message: str, status: int, fields: dict | None = None):
    body = {"error": {"code": str(code), "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    from flask_babel import gettext as _

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        if wants_json():
            response, status = error_json(err.code, err.message, err.status, err.fields)
            if status == 401 and request.path.startswith("/api/"):
                # RFC 6750: a bearer API names its scheme, and says when the token sent was the problem.
                response.headers["WWW-Authenticate"] = 'Bearer realm="Tsunagu API"' + (
                    ', error="invalid_token"' if request.headers.get("Authorization") else "")
            return response, status
        return render_template("errors/error.html", status=err.status, message=err.message), err.status

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError):
        # A POST without a valid CSRF token: on the door screen most often a session that ended
        # (signed out, cookie cleared, the page reopened offline from its service worker), so a
        # script is told what to do about it, not "the request could not be understood".
        from flask_login import current_user

        if not wants_json():
            return _http_error(err)
        if not current_user.is_authenticated:
            return error_json(ErrorCode.UNAUTHORIZED, _("Your sign-in has ended: sign in again."), 401)
        return error_json("csrf_failed", _("This page is out of date: reload it, or sign in again."), 400)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in first."),
            403: _("You do not have permission to do that."),
            404: _("We could not find that page."),
            405: _("That method is not allowed here."),
            409: _("That conflicts with the current state."),
            410: _("That is no longer available."),
            413: _("The request is too large."),
            422: _("Some of the input is not valid."),
            429: _("Too many requests. Please wait a moment and try again."),
        }
        message = messages.get(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error")
        if wants_json():
            if status == 413:  # say the limit, so the client can split what it sends
                message = too_large_message(request.max_content_length)
            codes = {400: "malformed_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
                     422: "validation_error", 429: "rate_limited"}
            return error_json(codes.get(status, "http_error"), message, status)
        template = "errors/404.html" if status == 404 else "errors/error.html"
        return render_template(template, status=status, message=message), status

    @app.errorhandler(500)
    def _server_error(err):
        if wants_json():
            return error_json("internal_error", _("Something went wrong on our side."), 500)
        return render_template("errors/500.html", status=500), 500
