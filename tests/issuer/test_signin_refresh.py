"""Refresh tokens: each refresh replaces the refresh token; an old one presented again revokes
the whole sign-in (RFC 9700 §4.14); revocation (RFC 7009) is sign-out."""

from __future__ import annotations

import pytest
from authlib.integrations.base_client.errors import OAuthError

from people.models import Person

from .signin import App, make_app, make_person, verified_claims


@pytest.fixture
def app(api) -> App:
    make_person("ann")
    return App(api.base_url, make_app(), scope="read:timesheets create:timesheets")


@pytest.fixture
def signed_in(app) -> dict:
    return app.fetch_token(app.sign_in_and_authorize())


def refused(app: App, refresh_token: str) -> str:
    with pytest.raises(OAuthError) as refusal:
        app.refresh(refresh_token)
    return refusal.value.error


def test_a_public_app_refreshes_without_a_secret_and_gets_a_new_refresh_token(app, signed_in, api):
    renewed = app.refresh(signed_in["refresh_token"])

    assert renewed["refresh_token"] != signed_in["refresh_token"]
    assert renewed["scope"] == "read:timesheets create:timesheets"
    claims = verified_claims(api.base_url, renewed["access_token"])
    assert claims["sub"] == verified_claims(api.base_url, signed_in["access_token"])["sub"]


def test_the_replaced_refresh_token_stops_working(app, signed_in):
    app.refresh(signed_in["refresh_token"])
    assert refused(app, signed_in["refresh_token"]) == "invalid_grant"


def test_an_old_refresh_token_presented_again_revokes_the_whole_sign_in(app, signed_in):
    renewed = app.refresh(signed_in["refresh_token"])
    refused(app, signed_in["refresh_token"])  # stolen and replayed: the family is revoked
    assert refused(app, renewed["refresh_token"]) == "invalid_grant"


def test_a_revoked_refresh_token_no_longer_works(app, signed_in):
    response = app.revoke(signed_in["refresh_token"])
    assert response.status_code == 200
    assert refused(app, signed_in["refresh_token"]) == "invalid_grant"


def test_revocation_paths_work_with_and_without_the_slash(app, signed_in, api):
    form = {"token": signed_in["refresh_token"], "client_id": app.session.client_id}
    assert api.post("/oauth/revoke/", data=form).status_code == 200
    assert refused(app, signed_in["refresh_token"]) == "invalid_grant"


def test_a_role_taken_away_bounds_the_next_refresh(api):
    mia = make_person("mia", manager=True)
    app = App(api.base_url, make_app(), scope="read:timesheets approve:timesheets")
    token = app.fetch_token(app.sign_in_and_authorize("mia"))
    Person.objects.filter(pk=mia.pk).update(role="employee")

    renewed = app.refresh(token["refresh_token"], scope=None)

    assert renewed["scope"] == "read:timesheets"


def test_a_refresh_token_is_no_access_token(signed_in, api):
    # A refresh token made like an access token would be a signed JWT the API accepts, and
    # revoking it would not stop it there.
    response = api.get("/timesheets", token=signed_in["refresh_token"])
    assert response.status_code == 401
