"""The authorization code grant with PKCE, end to end: a person signs in, the app gets a token."""

from __future__ import annotations

import time

import jwt
import pytest

from .signin import App, make_app, make_person, verified_claims

AUDIENCE = "https://timesheets.abc.example/api"


@pytest.fixture
def app(api) -> App:
    make_person("ann")
    return App(api.base_url, make_app(), scope="read:timesheets create:timesheets")


def test_a_person_signs_in_and_the_app_gets_their_token(app, api):
    redirect = app.sign_in_and_authorize(state="s-1")
    assert redirect.params["state"] == "s-1"
    assert redirect.params["iss"] == api.get("/.well-known/openid-configuration").json()["issuer"]

    token = app.fetch_token(redirect)

    claims = verified_claims(api.base_url, token["access_token"], AUDIENCE)
    assert claims["sub"].startswith("person|")
    assert claims["azp"] == claims["client_id"] == app.session.client_id
    assert claims["scope"] == token["scope"] == "read:timesheets create:timesheets"
    assert "gty" not in claims
    assert claims["exp"] - claims["iat"] == token["expires_in"] == 300
    assert abs(claims["iat"] - time.time()) < 30
    assert jwt.get_unverified_header(token["access_token"])["typ"] == "at+jwt"
    assert token["refresh_token"]


def test_a_person_not_signed_in_is_sent_to_the_sign_in_page_and_back(app):
    url, _ = app.authorize_url()
    response = app.browser.get(url, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=/oauth/authorize")


def test_a_request_beyond_the_role_is_narrowed_not_refused(api):
    make_person("ann")
    app = App(api.base_url, make_app(), scope="read:timesheets approve:timesheets")

    token = app.fetch_token(app.sign_in_and_authorize())

    assert token["scope"] == "read:timesheets"
    assert verified_claims(api.base_url, token["access_token"])["scope"] == "read:timesheets"


def test_a_manager_may_have_approve(api):
    make_person("mia", manager=True)
    app = App(api.base_url, make_app(), scope="read:timesheets approve:timesheets")

    token = app.fetch_token(app.sign_in_and_authorize("mia"))

    assert token["scope"] == "read:timesheets approve:timesheets"


def test_a_request_without_scope_gets_the_roles_scopes(api):
    make_person("ann")
    app = App(api.base_url, make_app())

    token = app.fetch_token(app.sign_in_and_authorize())

    assert set(token["scope"].split()) == {"read:timesheets", "create:timesheets", "delete:timesheets"}


@pytest.mark.parametrize("naming", ["audience", "resource"])
def test_the_api_may_be_named_as_at_the_token_endpoint(api, naming):
    make_person("ann")
    app = App(api.base_url, make_app(), scope="read:timesheets")

    token = app.fetch_token(app.sign_in_and_authorize(**{naming: AUDIENCE}))

    assert verified_claims(api.base_url, token["access_token"], AUDIENCE)["aud"] == AUDIENCE


def test_an_unknown_api_is_refused_on_the_redirect(app):
    redirect = app.sign_in_and_authorize(state="s-2", audience="https://other.example/api")

    assert redirect.location.startswith("https://app.example/callback?")
    assert redirect.params["error"] == "invalid_target"
    assert redirect.params["state"] == "s-2"
