"""Signing keys: published with kids, rotated without cutting off tokens already issued."""

from __future__ import annotations

import jwt
from django.core.management import call_command


def test_the_jwks_publishes_the_signing_key(api, embedded_token):
    token = embedded_token("read:timesheets")
    keys = api.get("/.well-known/jwks.json").json()["keys"]
    assert [key["kid"] for key in keys] == [jwt.get_unverified_header(token)["kid"]]
    assert "d" not in keys[0]  # never the private part


def test_a_token_signed_before_rotation_still_works(api, embedded_token):
    old_token = embedded_token("read:timesheets")
    call_command("rotate_signing_key")
    new_token = embedded_token("read:timesheets")

    assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    assert api.get("/timesheets", token=old_token).status_code == 200
    assert api.get("/timesheets", token=new_token).status_code == 200
    assert len(api.get("/.well-known/jwks.json").json()["keys"]) == 2


def test_a_key_retired_longer_than_a_token_lives_is_no_longer_published(api, embedded_token, settings):
    old_token = embedded_token("read:timesheets")
    call_command("rotate_signing_key")
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ACCESS_TOKEN_EXPIRE_SECONDS": -10}
    assert len(api.get("/.well-known/jwks.json").json()["keys"]) == 1
    assert api.get("/timesheets", token=old_token).status_code == 401


def test_the_api_checks_embedded_tokens_without_an_http_call_to_itself(api, embedded_token, monkeypatch):
    from timesheets import jwks

    def no_http(*args, **kwargs):
        raise AssertionError("the API fetched keys over HTTP")

    monkeypatch.setattr(jwks, "key_set_for", no_http)
    assert api.get("/timesheets", token=embedded_token("read:timesheets")).status_code == 200
