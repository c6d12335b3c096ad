"""Requests per client are limited, in Django's cache: in-process, or Redis shared by every instance."""

from __future__ import annotations

import uuid

import pytest
import redis


def test_a_client_over_its_rate_gets_429_with_retry_after(app, settings):
    settings.TIMESHEETS_THROTTLE_RATE = "3/min"
    token = app.token(client_id="busy-client")
    statuses = [app.get("/timesheets", token=token).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = app.get("/timesheets", token=token)
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_each_client_has_its_own_count(app, settings):
    settings.TIMESHEETS_THROTTLE_RATE = "2/min"
    busy = [app.get("/timesheets", token=app.token(client_id="busy-client")).status_code for _ in range(3)]
    assert busy == [200, 200, 429]
    assert app.get("/timesheets", token=app.token(client_id="quiet-client")).status_code == 200


@pytest.fixture
def redis_cache(settings):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        },
        "shared": settings.CACHES["shared"],
    }
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_with_redis_the_count_is_shared_by_every_instance(app, settings, redis_cache):
    client, prefix = redis_cache
    settings.TIMESHEETS_THROTTLE_RATE = "2/min"
    token = app.token(client_id="busy-client")
    assert [app.get("/timesheets", token=token).status_code for _ in range(3)] == [200, 200, 429]
    # The history lives in Redis, where another instance reads the same key.
    assert list(client.scan_iter(f"{prefix}:*throttle_client_busy-client"))
