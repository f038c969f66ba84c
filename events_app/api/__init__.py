"""The JSON API v1: one blueprint; each capability adds its routes in its own api.py."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from werkzeug.exceptions import RequestEntityTooLarge
from flask_babel import gettext as _

from ..errors import DomainError, ErrorCode

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Each capability adds its OpenAPI paths and schemas here when its api module is imported.
OPENAPI_PATHS: dict[str, dict] = {}
OPENAPI_SCHEMAS: dict[str, dict] = {}


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 malformed_request error."""
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(request.get_data(cache=True)) >= limit:
        # A chunked body (no Content-Length) is cut at the limit by Werkzeug, not refused: refuse
        # it here, as one with a Content-Length over the limit is, instead of reading half of it.
        raise RequestEntityTooLarge()
    data = request.get_json(silent=True)
    if data is None and request.get_data().strip() != b"null":  # `null` parses: it is just not an object
        raise DomainError(_("The body must be valid JSON."), code=ErrorCode.MALFORMED)
    if not isinstance(data, dict):
        raise DomainError(_("The body must be a JSON object."), code=ErrorCode.MALFORMED)
    return data


def document(path: str, method: str, operation: dict) -> None:
    """Add one operation to the OpenAPI document."""
    OPENAPI_PATHS.setdefault(path, {})[method.lower()] = operation
