"""A public app (the web page) at /oauth/token: no secret to guess, so no lockout or slot for
anyone behind the same NAT to trip, and a secret sent for it is refused, never counted."""

from __future__ import annotations

import base64

import pytest

from issuer import client_secrets
from issuer.services import app_client_create

ADDRESS = "10.0.0.7"


@pytest.fixture
def public_app(db) -> str:
    return app_client_create(
        name="Timesheets web", redirect_uris=["https://app.example/callback"]
    ).client.client_id


@pytest.fixture
def limit(settings) -> int:
    settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT = 3
    return 3


def token(client, **params: str):
    return client.post("/oauth/token", params, HTTP_HOST="localhost", REMOTE_ADDR=ADDRESS)


def exchange(client, client_id: str):
    """A code exchange with a code never issued: the grant's own check answers it (400), if reached."""
    return token(
        client,
        grant_type="authorization_code",
        client_id=client_id,
        code="never-issued",
        redirect_uri="https://app.example/callback",
        code_verifier="v" * 43,
    )


def test_a_secret_sent_for_a_public_app_is_refused_as_invalid_client(client, public_app):
    response = token(
        client, grant_type="refresh_token", client_id=public_app, client_secret="x", refresh_token="r"
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert "public" in response.json()["error_description"]


def test_a_secret_by_http_basic_for_a_public_app_names_the_scheme(client, public_app):
    basic = base64.b64encode(f"{public_app}:x".encode()).decode()
    response = client.post(
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": "r"},
        HTTP_HOST="localhost",
        REMOTE_ADDR=ADDRESS,
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    assert response["WWW-Authenticate"].startswith("Basic")


def test_secrets_sent_for_a_public_app_never_lock_out_its_sign_ins_from_that_address(
    client, public_app, limit
):
    for _ in range(limit * 3):
        token(client, grant_type="client_credentials", client_id=public_app, client_secret="x")
    response = exchange(client, public_app)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_control_characters_under_a_public_app_never_lock_it_out(client, public_app, limit):
    for _ in range(limit * 3):
        token(client, grant_type="authorization_code", client_id=public_app, code="a\x00")
    assert exchange(client, public_app).status_code == 400


def test_a_public_apps_requests_never_wait_for_the_address_slot(client, public_app):
    with client_secrets.address_slot(ADDRESS), client_secrets.address_slot(ADDRESS):
        response = exchange(client, public_app)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
