"""Signing keys: published with kids, rotated without cutting off tokens already issued."""

from __future__ import annotations

import io
import sqlite3

import jwt
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from issuer import crypto, keys
from issuer.models import SigningKey
from tests.test_settings import manage
from timesheets import jwks


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


def test_a_key_retired_longer_than_any_token_lives_is_no_longer_published(api, embedded_token, settings):
    old_token = embedded_token("read:timesheets")
    call_command("rotate_signing_key")
    # Every kind of token it signed: clients', people's and ID tokens.
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ACCESS_TOKEN_EXPIRE_SECONDS": -10,
        "ID_TOKEN_EXPIRE_SECONDS": -10,
    }
    settings.OAUTH_PERSON_TOKEN_SECONDS = -10
    assert len(api.get("/.well-known/jwks.json").json()["keys"]) == 1
    assert api.get("/timesheets", token=old_token).status_code == 401


def test_the_api_checks_embedded_tokens_without_an_http_call_to_itself(api, embedded_token, monkeypatch):
    def no_http(*args, **kwargs):
        raise AssertionError("the API fetched keys over HTTP")

    monkeypatch.setattr(jwks.JWKSCache, "get_key", no_http)
    assert api.get("/timesheets", token=embedded_token("read:timesheets")).status_code == 200


def test_the_jwks_of_a_fresh_database_is_never_empty(api):
    assert not SigningKey.objects.exists()  # flushed since migrate, no token issued yet
    assert len(api.get("/.well-known/jwks.json").json()["keys"]) == 1


def test_migrate_leaves_a_signing_key(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    result = manage("migrate", "--noinput", DATABASE_URL=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM issuer_signingkey").fetchone() == (1,)


def test_private_keys_are_sealed_at_rest(transactional_db):
    key = keys.current_signing_key()
    stored = SigningKey.objects.values_list("private_key_sealed", flat=True).get(pk=key.pk)
    assert "PRIVATE KEY" not in stored
    assert "PRIVATE KEY" in crypto.open_sealed(stored)


def test_a_database_copy_without_the_key_encryption_key_cannot_sign(transactional_db, settings):
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    key = keys.current_signing_key()
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        _ = SigningKey.objects.get(pk=key.pk).private_key


def test_rotation_reseals_every_key_under_the_new_key_encryption_key(api, embedded_token, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [old]
    old_token = embedded_token("read:timesheets")
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_signing_key", stdout=io.StringIO())
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [new]

    assert all(key.private_key for key in SigningKey.objects.all())
    assert api.get("/timesheets", token=old_token).status_code == 200
    assert api.get("/timesheets", token=embedded_token("read:timesheets")).status_code == 200


def test_plaintext_keys_of_earlier_versions_are_sealed_by_migrate(tmp_path):
    database = tmp_path / "old.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    assert manage("migrate", "issuer", "0001", "--noinput", **env).returncode == 0
    pem = keys.new_private_key_pem()
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO issuer_signingkey (kid, private_key_pem, created_at) VALUES ('old', ?, '2026-01-01')",  # noqa: E501
            (pem,),
        )
    result = manage("migrate", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        (sealed,) = connection.execute(
            "SELECT private_key_sealed FROM issuer_signingkey WHERE kid='old'"
        ).fetchone()
    assert "PRIVATE KEY" not in sealed
    assert crypto.open_sealed(sealed) == pem  # the test process derives the same development key
