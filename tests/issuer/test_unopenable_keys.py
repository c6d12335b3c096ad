"""Signing keys sealed under another key-encryption key: the server refuses to start, never a 500."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import jwt
import pytest
from cryptography.fernet import Fernet

from issuer import keys, seal_check
from tests.support import PROJECT_DIR, free_port


@pytest.fixture
def resealed(transactional_db, settings) -> None:
    """A signing key sealed under one key-encryption key, served under another."""
    keys.current_signing_key()
    keys.forget_public_keys()
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]


def test_the_start_up_check_names_the_setting_to_restore(resealed):
    with pytest.raises(seal_check.SealedKeysUnopenable, match="restore the TIMESHEETS_KEY_ENCRYPTION_KEY"):
        seal_check.refuse_unopenable_signing_keys()


def test_with_the_development_seal_it_names_the_secret_key(transactional_db, settings):
    keys.current_signing_key()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(seal_check.SealedKeysUnopenable, match="restore the DJANGO_SECRET_KEY"):
        seal_check.refuse_unopenable_signing_keys()


def test_keys_that_open_pass_the_check(transactional_db):
    keys.current_signing_key()
    seal_check.refuse_unopenable_signing_keys()


def test_a_token_request_is_a_503_json_not_a_500(client, api_client, resealed):
    client_id, secret = api_client("read:timesheets")
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = client.post("/oauth/token", params)
    assert (response.status_code, response.json()["error"]) == (503, "temporarily_unavailable")


def test_an_api_request_with_a_token_of_that_key_is_a_401_not_a_500(client, settings, transactional_db):
    key = keys.current_signing_key()
    claims = {
        "iss": "http://testserver/",
        "aud": settings.OAUTH_AUDIENCE,
        "sub": "c",
        "exp": time.time() + 60,
    }
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    keys.forget_public_keys()
    settings.TIMESHEETS_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert client.get("/timesheets", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_the_jwks_is_a_503_not_a_500(client, resealed):
    assert client.get("/.well-known/jwks.json").status_code == 503


def test_gunicorn_stops_at_start_with_the_setting_to_restore(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SECRET_KEY"] = "the-secret-key-at-migrate-" + "x" * 30
    # The issuer's tables and their signing key, sealed under this secret key: all that the
    # start-up check reads (a whole `migrate` takes more than twice as long).
    manage = [sys.executable, "manage.py", "migrate", "issuer", "--noinput"]
    subprocess.run(manage, cwd=PROJECT_DIR, env=env, check=True, capture_output=True)
    env["DJANGO_SECRET_KEY"] = "another-secret-key-when-served-" + "x" * 30
    command = [sys.executable, "-m", "gunicorn", "timesheets_site.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{free_port()}", "--workers", "1"]
    served = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert served.returncode != 0
    assert "restore the DJANGO_SECRET_KEY" in served.stderr
