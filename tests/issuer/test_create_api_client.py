"""create_api_client, and that no client secret is ever kept or logged in clear."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.conf import global_settings
from django.core.management import CommandError, call_command

from issuer.models import ApiClient
from timesheets_site import settings as production


def create(*args: str) -> dict:
    out = io.StringIO()
    call_command("create_api_client", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_it_prints_credentials_and_stores_the_secret_hashed(db, settings):
    # Production's hashers (the suite's own settings hash with MD5 for speed).
    settings.PASSWORD_HASHERS = getattr(production, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    credentials = create("cron", "--scopes", "create:timesheets")
    client = ApiClient.objects.get(client_id=credentials["client_id"])
    assert client.client_secret != credentials["client_secret"]
    assert client.client_secret.startswith("client_secret_sha256$")  # issuer/hashers.py
    assert client.grants.get().scope == "create:timesheets"


def test_unknown_scopes_are_refused(db):
    with pytest.raises(CommandError, match="write:everything"):
        create("cron", "--scopes", "write:everything")


def test_no_secret_reaches_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    credentials = create("cron", "--scopes", "create:timesheets")
    base = {"grant_type": "client_credentials", "client_id": credentials["client_id"]}
    app.post("/oauth/token", data=base | {"client_secret": credentials["client_secret"]})
    app.post("/oauth/token", data=base | {"client_secret": "wrong-" + credentials["client_secret"]})
    assert f"client_id={credentials['client_id']!r}" in caplog.text  # the failure names the client...
    assert credentials["client_secret"] not in caplog.text  # ...never its secret
