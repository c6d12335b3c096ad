"""Rotating a client's secret ends the tokens issued before it, as disabling the client does."""

from __future__ import annotations

import io
import time

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from issuer import keys, revocation
from issuer.models import ApiClient
from issuer.services import api_client_create

ISSUER = "http://testserver/"


@pytest.fixture
def client_id(db) -> str:
    return api_client_create(name="cron", scopes=["read:timesheets"]).client.client_id


def token(client_id: str, issued_at: int) -> str:
    """A token as the embedded issuer signs it (issuer/tokens.py), issued at `issued_at`."""
    key = keys.current_signing_key()
    claims = {
        "iss": ISSUER,
        "aud": settings.OAUTH_AUDIENCE,
        "sub": client_id,
        "azp": client_id,
        "client_id": client_id,
        "scope": "read:timesheets",
        "iat": issued_at,
        "exp": issued_at + 3600,
    }
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def status(bearer: str) -> int:
    return APIClient().get("/timesheets", HTTP_AUTHORIZATION=f"Bearer {bearer}").status_code


def rotate(client_id: str) -> None:
    call_command("rotate_api_client_secret", client_id, stdout=io.StringIO())


def test_a_token_issued_before_the_rotation_is_refused(client_id):
    older = token(client_id, int(time.time()) - 10)
    assert status(older) == 200
    rotate(client_id)
    assert status(older) == 401


def test_a_token_issued_after_the_rotation_stands(client_id):
    rotate(client_id)
    assert status(token(client_id, int(time.time()))) == 200


def test_without_a_rotation_any_unexpired_token_stands(client_id):
    assert revocation.token_stands(client_id, 0)


def test_a_token_without_an_iat_is_refused_once_the_secret_was_rotated(client_id):
    rotate(client_id)
    assert not revocation.token_stands(client_id, None)


def test_the_rotation_time_is_recorded_and_not_editable(client_id):
    rotate(client_id)
    client = ApiClient.objects.get(client_id=client_id)
    assert client.secret_rotated_at is not None
    assert not ApiClient._meta.get_field("secret_rotated_at").editable
