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
