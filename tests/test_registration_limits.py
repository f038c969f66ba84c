"""Per-IP rate limits on the registration form and the public API, in memory and in Redis."""
from __future__ import annotations

import uuid

import pytest

from tests.support import require

# A Redis database of the tests' own, emptied before each test: Flask-Limiter keeps the key prefix
# of the first app it was set up for, so per-test prefixes would not keep tests apart.
REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request):
    if request.param == "redis":
        require(redis_available(), "Redis is not running on 127.0.0.1:6379")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        return REDIS_URL
    return "memory://"


@pytest.fixture
def app_config(app_config, storage):
    return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_REGISTRATION": "3 per minute",
            "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}


def payload(n):
    return {"name": "高橋 健", "name_kana": "タカハシ ケン", "email": f"ken{n}@example.jp", "affiliation": "alumni",
            "consent": True}


def test_public_api_is_limited_per_ip_with_a_json_429(client, db_backend, make_event):
    event = make_event()
    codes = [client.post(f"/api/v1/events/{event.slug}/registrations", json=payload(n)).status_code for n in range(4)]
    assert codes == [201, 201, 201, 429]
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=payload(9))
    assert response.get_json()["error"]["code"] == "rate_limited"
    # Another address is not affected.
    other = client.post(f"/api/v1/events/{event.slug}/registrations", json=payload(10),
                        environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 201


def test_form_posts_are_limited_but_reading_the_form_is_not(client, db_backend, make_event):
    event = make_event()
    form = {"name": "高橋 健", "name_kana": "タカハシ ケン", "affiliation": "alumni", "consent": "y"}
    codes = [client.post(f"/events/{event.slug}/register", data={**form, "email": f"k{n}@example.jp",
                                                                   "idempotency_key": f"n{n}"}).status_code
             for n in range(4)]
    assert codes == [302, 302, 302, 429]
    assert client.get(f"/events/{event.slug}/register").status_code == 200
