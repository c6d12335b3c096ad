"""Every endpoint against every kind of token: the right status, body and header, and nothing written."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.tokens import hs256_token, unsigned_token
from timesheets.models import Timesheet

ENDPOINTS = {
    "list": ("GET", "/timesheets", "read:timesheets", 200),
    "retrieve": ("GET", "/timesheets/{id}", "read:timesheets", 200),
    "create": ("POST", "/timesheets", "create:timesheets", 201),
    "batch": ("POST", "/timesheets/batch", "create:timesheets", 200),
    "destroy": ("DELETE", "/timesheets/{id}", "delete:timesheets", 204),
    "approve": ("POST", "/timesheets/{id}/approve", "approve:timesheets", 200),
}
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def forged_tokens(issuer) -> dict[str, str]:
    now = int(time.time())
    public_pem = (
        issuer.keys["key-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return {
        "expired": issuer.token(iat=now - 7200, exp=now - 3600),
        "not yet valid": issuer.token(nbf=now + 3600),
        "wrong audience": issuer.token(aud="https://another.api.example/"),
        "wrong issuer": issuer.token(iss="https://evil.example/"),
        "bad signature": jwt.encode(issuer.claims(), STRANGER_KEY, "RS256", headers={"kid": "key-1"}),
        "alg none": unsigned_token(issuer.claims(), {"alg": "none", "typ": "JWT"}) + ".",
        "HS256 keyed with the RSA public key": hs256_token(issuer.claims(), public_pem, {"kid": "key-1"}),
        "unknown kid": jwt.encode(issuer.claims(), STRANGER_KEY, "RS256", headers={"kid": "stranger"}),
        "garbage": "not.a.jwt",
    }


def call(app, endpoint: str, timesheet: Timesheet, entry, token: str | None):
    method, path, _, _ = ENDPOINTS[endpoint]
    body = {"create": entry(), "batch": [entry()]}.get(endpoint)
    return app.request(method, path.format(id=timesheet.pk), token=token, json=body)


def snapshot() -> list[tuple]:
    return list(Timesheet.objects.order_by("pk").values_list("pk", "hours", "approved", "approved_by"))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_with_the_scope_is_served(app, local_issuer, timesheet, entry, endpoint):
    scope = ENDPOINTS[endpoint][2]
    response = call(app, endpoint, timesheet, entry, local_issuer.token(scope=scope))
    assert response.status_code == ENDPOINTS[endpoint][3], response.text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_no_token_is_refused_with_the_bare_challenge(app, timesheet, entry, endpoint):
    before = snapshot()
    response = call(app, endpoint, timesheet, entry, token=None)
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid token"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="timesheets"'
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_token_without_the_scope_is_forbidden(app, local_issuer, timesheet, entry, endpoint):
    scope = ENDPOINTS[endpoint][2]
    others = " ".join(s for s in ("read:timesheets", "create:timesheets", "delete:timesheets") if s != scope)
    before = snapshot()
    response = call(app, endpoint, timesheet, entry, local_issuer.token(scope=others))
    assert response.status_code == 403
    assert response.json() == {"detail": "Insufficient scope", "required_scopes": [scope]}
    assert response.headers["WWW-Authenticate"] == (
        f'Bearer realm="timesheets", error="insufficient_scope", scope="{scope}"'
    )
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_forged_and_stale_tokens_are_refused_and_write_nothing(app, local_issuer, timesheet, entry, endpoint):
    before = snapshot()
    for case, token in forged_tokens(local_issuer).items():
        response = call(app, endpoint, timesheet, entry, token)
        assert response.status_code == 401, case
        assert response.json() == {"detail": "Missing or invalid token"}, case
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="timesheets", error="invalid_token"', (
            case
        )
    assert snapshot() == before


def test_scopes_are_read_from_scp_and_auth0_permissions(app, local_issuer):
    as_scp = local_issuer.token(scope=None, scp=["read:timesheets"])
    as_permissions = local_issuer.token(scope=None, permissions=["read:timesheets"])
    assert app.get("/timesheets", token=as_scp).status_code == 200
    assert app.get("/timesheets", token=as_permissions).status_code == 200


def test_an_audience_list_containing_the_api_is_accepted(app, local_issuer, settings):
    token = local_issuer.token(aud=["https://other.example/", settings.OAUTH_AUDIENCE])
    assert app.get("/timesheets", token=token).status_code == 200


def test_a_token_without_exp_is_refused(app, local_issuer):
    assert app.get("/timesheets", token=local_issuer.token(exp=None)).status_code == 401


def test_hs256_is_accepted_only_when_configured_with_its_secret(app, local_issuer, settings):
    token = hs256_token(local_issuer.claims(), b"s3cret-shared-with-the-issuer-32-bytes+")
    assert app.get("/timesheets", token=token).status_code == 401
    settings.OAUTH_ALGORITHMS = ["HS256"]
    settings.OAUTH_SIGNING_SECRET = "s3cret-shared-with-the-issuer-32-bytes+"
    assert app.get("/timesheets", token=token).status_code == 200


def test_a_key_header_in_the_token_is_never_followed(app, local_issuer):
    token = local_issuer.token(headers={"jku": local_issuer.url + "keys"})
    assert app.get("/timesheets", token=token).status_code == 401
