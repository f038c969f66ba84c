"""The OpenAPI 3 document at /api/v1/openapi.json (filled by each capability's api module)."""
from __future__ import annotations

from flask import jsonify

from . import OPENAPI_PATHS, OPENAPI_SCHEMAS, api_bp


@api_bp.route("/openapi.json")
def openapi_document():
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "Tsunagu API", "version": "1.0.0"},
        "servers": [{"url": "/api/v1"}],
        "paths": OPENAPI_PATHS,
        "components": {
            "schemas": OPENAPI_SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    })
