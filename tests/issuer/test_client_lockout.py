"""Failed client authentications at /oauth/token: slowed, yet strangers never lock out the real client."""

from __future__ import annotations

import base64
import datetime
import uuid
from typing import Any

import pytest

WRONG = "not-the-secret"


def post(client, client_id: str, secret: str, address: str = "10.0.0.7", **meta: str):
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/oauth/token", params, HTTP_HOST="localhost", REMOTE_ADDR=address, **meta)


@pytest.fixture
def limit(settings) -> int:
    settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT = 3
    return 3


def test_wrong_secrets_beyond_the_limit_are_answered_429(client, api_client, limit):
    client_id, _ = api_client("read:timesheets")
    statuses = [post(client, client_id, WRONG).status_code for _ in range(limit + 1)]
    response = post(client, client_id, WRONG)
    assert statuses == [401] * limit + [429]
    assert int(response["Retry-After"]) > 0
    assert response.json()["error_description"]


def test_the_count_starts_again_once_its_window_has_passed(client, api_client, limit, settings, time_machine):
    client_id, _ = api_client("read:timesheets")
    for _ in range(limit):
        post(client, client_id, WRONG)
    assert post(client, client_id, WRONG).status_code == 429
    window = datetime.timedelta(seconds=settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW + 1)
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + window)
    assert post(client, client_id, WRONG).status_code == 401


def test_the_right_secret_passes_from_elsewhere_while_its_client_id_is_hammered(client, api_client, limit):
    # Over the limit, (client id, address) is refused before any hash: the
    # right secret from that address waits out the window; from any other address it passes.
    client_id, secret = api_client("read:timesheets")
    for _ in range(limit * 3):
        post(client, client_id, WRONG)
    assert post(client, client_id, secret).status_code == 429
    assert post(client, client_id, secret, address="10.0.0.8").status_code == 200


def test_strangers_under_random_client_ids_from_the_same_address_cannot_lock_it_out(
    client, api_client, limit, tally
):
    client_id, secret = api_client("read:timesheets")
    for _ in range(10):
        post(client, uuid.uuid4().hex, WRONG)
    held = post(client, client_id, secret).status_code == 200
    tally("client lockout: right secret served after strangers' failures", held)
    assert held


def test_x_forwarded_for_is_not_read_by_default(client, api_client, limit):
    client_id, _ = api_client("read:timesheets")
    for index in range(limit):
        post(client, client_id, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    assert post(client, client_id, WRONG, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_a_trusted_proxy_callers_are_counted_by_their_forwarded_address(
    client, api_client, limit, settings
):
    settings.TIMESHEETS_TRUSTED_PROXIES = 1
    client_id, _ = api_client("read:timesheets")
    balancer = "10.0.0.1"
    for _ in range(limit):
        post(client, client_id, WRONG, address=balancer, HTTP_X_FORWARDED_FOR="forged, 203.0.113.5")
    attacker = post(client, client_id, WRONG, address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = post(client, client_id, WRONG, address=balancer, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert (attacker.status_code, other.status_code) == (429, 401)


CONTROL_CHARACTERS: dict[str, dict[str, Any]] = {
    "NUL in client_id (form)": {"data": {"client_id": "abc\x00def", "client_secret": "x"}},
    "NUL in client_secret (form)": {"data": {"client_id": "abc", "client_secret": "x\x00"}},
    "escape in scope (form)": {"data": {"client_id": "abc", "client_secret": "x", "scope": "read\x1b"}},
    "NUL in client_id (JSON)": {"json": {"client_id": "abc\x00", "client_secret": "x"}},
    "NUL in audience (JSON)": {"json": {"client_id": "abc", "client_secret": "x", "audience": "a\x00"}},
    "NUL in client_id (Basic)": {"basic": "abc\x00def:x"},
    "%00 in client_id (Basic, form-encoded)": {"basic": "abc%00def:x"},
    "DEL in client_secret (Basic)": {"basic": "abc:x\x7f"},
    "NUL in a query parameter": {"query": "?client_id=abc%00"},
}


def control_request(app, case: dict):
    headers = {}
    if "basic" in case:
        headers["Authorization"] = "Basic " + base64.b64encode(case["basic"].encode()).decode()
    grant = {"grant_type": "client_credentials"}
    path = "/oauth/token" + case.get("query", "")
    if "json" in case:
        return app.post(path, json=grant | case["json"], headers=headers)
    return app.post(path, data=grant | case.get("data", {}), headers=headers)


@pytest.mark.parametrize("case", CONTROL_CHARACTERS)
def test_control_characters_are_an_invalid_request_never_a_500(app, case, tally):
    response = control_request(app, CONTROL_CHARACTERS[case])
    held = response.status_code == 400 and response.json()["error"] == "invalid_request"
    tally("token endpoint: control characters answered 400 invalid_request", held)
    assert held, (case, response.status_code, response.text)
    assert response.json()["error_description"]


def test_control_characters_count_as_failed_authentications(app, api_client, limit):
    client_id, _ = api_client("read:timesheets")
    for _ in range(limit):
        control_request(app, CONTROL_CHARACTERS["NUL in client_id (form)"])
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": WRONG}
    assert app.post("/oauth/token", data=params).status_code == 429
