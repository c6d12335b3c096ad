"""create_app_client: registers an app people sign in to, public unless --confidential."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from issuer.models import ApiClient


def create(*args: str) -> dict:
    out = io.StringIO()
    call_command("create_app_client", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_a_public_app_gets_a_client_id_and_no_secret(db):
    made = create(
        "Phone", "--redirect-uri", "com.abc.timesheets:/callback", "--redirect-uri", "http://127.0.0.1/cb"
    )
    assert set(made) == {"client_id"}
    app = ApiClient.objects.get(client_id=made["client_id"])
    assert app.client_type == ApiClient.CLIENT_PUBLIC
    assert app.authorization_grant_type == ApiClient.GRANT_AUTHORIZATION_CODE
    assert app.skip_authorization
    assert app.redirect_uris.split() == ["com.abc.timesheets:/callback", "http://127.0.0.1/cb"]
    assert not app.grants.exists()


def test_a_confidential_app_gets_its_secret_once_stored_hashed(db):
    made = create("Portal", "--redirect-uri", "https://portal.abc.example/cb", "--confidential")
    app = ApiClient.objects.get(client_id=made["client_id"])
    assert app.client_type == ApiClient.CLIENT_CONFIDENTIAL
    assert made["client_secret"] and app.client_secret != made["client_secret"]


def test_an_unsafe_redirect_uri_is_refused_and_nothing_registered(db):
    with pytest.raises(CommandError, match="http only for") as error:
        create("Web", "--redirect-uri", "https://ok.example/cb", "--redirect-uri", "http://app.example/cb")
    assert error.value.returncode == 2
    assert not ApiClient.objects.filter(name="Web").exists()  # migrate registered the web app itself
