"""The OpenAPI document is valid and describes every /api/v1 route the app serves."""
from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_the_whole_openapi_document_passes_the_spec_validator(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


def test_every_api_route_is_documented(app, client):
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in documented.get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
