"""Wrong secrets cannot exhaust the CPU at /oauth/token, and the time taken names no client id."""

from __future__ import annotations

import threading

import pytest
from django.conf import global_settings
from django.contrib.auth import hashers
from django.contrib.auth.hashers import make_password

from issuer import client_secrets
from issuer.models import ApiClient

WRONG = "not-the-secret"


def post(client, client_id: str, secret: str, address: str = "10.0.0.7"):
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/oauth/token", params, HTTP_HOST="localhost", REMOTE_ADDR=address)


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """Every secret check the server runs, by the hash it was checked against."""
    seen: list[str] = []
    verify = hashers.verify_password  # what check_password runs, whatever the hasher

    def counted(password: str, encoded: str, *args, **kwargs):
        seen.append(encoded)
        return verify(password, encoded, *args, **kwargs)

    monkeypatch.setattr(hashers, "verify_password", counted)
    return seen


def test_a_locked_out_client_id_is_answered_429_before_any_hash(client, api_client, settings, checks):
    settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT = 3
    client_id, _ = api_client("read:timesheets")
    for _ in range(3):
        post(client, client_id, WRONG)
    checks.clear()
    response = post(client, client_id, WRONG)
    assert (response.status_code, checks) == (429, [])
    assert int(response["Retry-After"]) > 0


def test_an_unknown_client_id_costs_the_check_a_wrong_secret_costs(client, api_client, checks):
    client_id, _ = api_client("read:timesheets")
    assert post(client, client_id, WRONG).status_code == 401
    wrong_secret = len(checks)
    checks.clear()
    assert post(client, "no-such-client", WRONG).status_code == 401
    assert len(checks) == wrong_secret == 1


def test_a_disabled_client_costs_the_same_check(client, api_client, checks):
    client_id, secret = api_client("read:timesheets")
    ApiClient.objects.filter(client_id=client_id).update(is_active=False)
    assert post(client, client_id, secret).status_code == 401
    assert len(checks) == 1


def test_an_address_with_checks_running_is_answered_429_at_once(client, api_client, checks):
    client_id, secret = api_client("read:timesheets")
    with client_secrets.address_slot("10.0.0.7"), client_secrets.address_slot("10.0.0.7"):
        busy = post(client, client_id, secret)
        elsewhere = post(client, client_id, secret, address="10.0.0.8")
    assert (busy.status_code, busy.json()["error"], elsewhere.status_code) == (429, "too_many_requests", 200)
    assert busy["Retry-After"] == str(client_secrets.RETRY_AFTER_SECONDS)


def legacy(client_id: str, secret: str, settings) -> None:
    """Stores the secret as PBKDF2, as secrets were before the current hasher."""
    settings.PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "issuer.hashers.ClientSecretHasher"]
    ApiClient.objects.filter(client_id=client_id).update(
        client_secret=make_password(secret, hasher="pbkdf2_sha256")
    )


def test_a_slow_check_waits_for_a_slot_and_is_answered_503_without_one(
    client, api_client, checks, monkeypatch, settings
):
    client_id, secret = api_client("read:timesheets")
    legacy(client_id, secret, settings)
    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(client_secrets, "_slow_slots", full)
    monkeypatch.setattr(client_secrets, "SLOT_WAIT_SECONDS", 0)
    response = post(client, client_id, secret)
    assert (response.status_code, response.json()["error"], checks) == (503, "temporarily_unavailable", [])
    assert response["Retry-After"]


def test_a_secret_under_the_current_hasher_never_waits_for_a_slow_slot(client, api_client, monkeypatch):
    client_id, secret = api_client("read:timesheets")
    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(client_secrets, "_slow_slots", full)
    assert post(client, client_id, secret).status_code == 200


def test_new_secrets_are_stored_with_the_cheap_hasher(api_client):
    client_id, _ = api_client("read:timesheets")
    assert ApiClient.objects.get(client_id=client_id).client_secret.startswith("client_secret_sha256$")


def test_a_pbkdf2_secret_still_works_and_is_rehashed_on_its_first_right_use(client, api_client, settings):
    client_id, secret = api_client("read:timesheets")
    legacy(client_id, secret, settings)
    assert post(client, client_id, secret).status_code == 200
    stored = ApiClient.objects.get(client_id=client_id).client_secret
    assert stored.startswith("client_secret_sha256$")
    assert post(client, client_id, secret).status_code == 200
    assert post(client, client_id, WRONG).status_code == 401


def test_a_wrong_secret_never_rehashes(client, api_client, settings):
    client_id, secret = api_client("read:timesheets")
    legacy(client_id, secret, settings)
    stored = ApiClient.objects.get(client_id=client_id).client_secret
    assert post(client, client_id, WRONG).status_code == 401
    assert ApiClient.objects.get(client_id=client_id).client_secret == stored
