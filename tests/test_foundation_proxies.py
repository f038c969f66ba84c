"""Behind a TLS proxy (README, "Running in production"): the client's address and scheme come from
X-Forwarded-* only when TRUSTED_PROXIES says how many proxies stand in front."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "2 per minute",
            "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "TRUSTED_PROXIES": request.param}


def login_attempts(client, forwarded_for: str, n: int) -> list[int]:
    # Every request arrives from the proxy's own address, as it does behind nginx.
    return [client.post("/login", data={"email": "nobody@example.jp", "password": "wrong"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"},
                        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"}).status_code
            for _ in range(n)]


@pytest.mark.parametrize("app_config", [1], indirect=True)
def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(client, db_backend):
    assert login_attempts(client, "203.0.113.7", 3)[-1] == 429
    assert login_attempts(client, "198.51.100.9", 1) != [429]  # another visitor behind the same proxy


@pytest.mark.parametrize("app_config", [1], indirect=True)
def test_behind_a_trusted_proxy_the_app_sees_the_clients_address_and_https(app, db_backend):
    from flask import request

    @app.get("/_probe")
    def probe():  # registered before the app's first request
        return {"scheme": request.scheme, "address": request.remote_addr, "host": request.host}

    answer = app.test_client().get("/_probe", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                   headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                                            "X-Forwarded-Host": "events.example.jp"}).get_json()
    assert answer == {"scheme": "https", "address": "203.0.113.7", "host": "events.example.jp"}


@pytest.mark.parametrize("app_config", [0], indirect=True)
def test_without_trusted_proxies_forwarded_headers_are_ignored(client, db_backend):
    # A client cannot dodge its limit by sending a new X-Forwarded-For each time.
    statuses = [login_attempts(client, f"203.0.113.{n}", 1)[0] for n in range(3)]
    assert statuses[-1] == 429
