"""A disabled or deleted client's tokens stop working at the API within seconds, not at expiry."""

from __future__ import annotations

import datetime
import io

import jwt
import pytest
from django.core.management import CommandError, call_command

from issuer.models import ApiClient


def client_of(token: str) -> ApiClient:
    return ApiClient.objects.get(client_id=jwt.decode(token, options={"verify_signature": False})["azp"])


REFUSED = "revocation: disabled or deleted client's token refused"


def test_disable_api_client_refuses_the_tokens_it_holds(app, tally):
    token = app.token(scope="read:timesheets")
    assert app.get("/timesheets", token=token).status_code == 200
    call_command("disable_api_client", client_of(token).client_id, stdout=io.StringIO())
    held = app.get("/timesheets", token=token).status_code == 401
    tally(REFUSED, held)
    assert held


def test_enable_lets_them_in_again(app):
    token = app.token(scope="read:timesheets")
    client_id = client_of(token).client_id
    call_command("disable_api_client", client_id, stdout=io.StringIO())
    call_command("disable_api_client", client_id, "--enable", stdout=io.StringIO())
    assert app.get("/timesheets", token=token).status_code == 200


def test_a_deleted_client_is_refused(app, tally):
    token = app.token(scope="read:timesheets")
    client_of(token).delete()
    held = app.get("/timesheets", token=token).status_code == 401
    tally(REFUSED, held)
    assert held


def test_a_change_behind_the_models_back_takes_effect_within_the_cache_time(
    app, settings, tally, time_machine
):
    settings.OAUTH_CLIENT_STATUS_CACHE_SECONDS = 1
    token = app.token(scope="read:timesheets")
    assert app.get("/timesheets", token=token).status_code == 200
    ApiClient.objects.filter(pk=client_of(token).pk).update(is_active=False)  # no signal
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1.2))
    held = app.get("/timesheets", token=token).status_code == 401
    tally(REFUSED, held)
    assert held


def test_the_admin_active_box_disables_the_client(app, admin_client, tally):
    token = app.token(scope="read:timesheets")
    client = client_of(token)
    form = {
        "name": client.name,
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }  # "is_active" left out: the box unticked
    response = admin_client.post(f"/admin/issuer/apiclient/{client.pk}/change/", form)
    assert response.status_code == 302, response.content
    held = app.get("/timesheets", token=token).status_code == 401
    tally(REFUSED, held)
    assert held


def test_an_unknown_client_id_is_a_usage_error(db):
    with pytest.raises(CommandError) as error:
        call_command("disable_api_client", "nobody", stdout=io.StringIO())
    assert error.value.returncode == 2
