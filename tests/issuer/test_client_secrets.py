"""Secret rotation: a new secret under the same client id, shown once; the old one stops at once."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from issuer.services import app_client_create

GRANT = {"grant_type": "client_credentials"}


def rotate(client_id: str) -> dict:
    out = io.StringIO()
    call_command("rotate_api_client_secret", client_id, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def token_status(app, client_id: str, secret: str) -> int:
    return app.post(
        "/oauth/token", data=GRANT | {"client_id": client_id, "client_secret": secret}
    ).status_code


def test_the_new_secret_works_and_the_old_one_stops(app, api_client):
    client_id, old_secret = api_client("create:timesheets")
    credentials = rotate(client_id)
    assert credentials["client_id"] == client_id
    assert token_status(app, client_id, credentials["client_secret"]) == 200
    assert token_status(app, client_id, old_secret) == 401


def test_entries_stay_the_clients_after_rotation(app, api_client, entry):
    client_id, old_secret = api_client("create:timesheets")

    def write(secret: str) -> str:
        token = app.post("/oauth/token", data=GRANT | {"client_id": client_id, "client_secret": secret})
        batch = [entry(external_id="row-1")]
        return app.post("/timesheets/batch", token=token.json()["access_token"], json=batch).json()[0][
            "status"
        ]

    assert write(old_secret) == "created"
    assert write(rotate(client_id)["client_secret"]) == "unchanged"


def test_an_unknown_client_is_a_usage_error(db):
    with pytest.raises(CommandError) as error:
        rotate("nobody")
    assert error.value.returncode == 2


def test_a_public_app_has_no_secret_to_rotate(db):
    web = app_client_create(name="Timesheets web", redirect_uris=["https://app.example/callback"]).client
    with pytest.raises(CommandError, match="public") as error:
        rotate(web.client_id)
    assert error.value.returncode == 2
    web.refresh_from_db()
    assert (web.client_secret, web.secret_rotated_at) == ("", None)
