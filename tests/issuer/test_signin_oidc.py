"""OpenID Connect: an ID token signed with the issuer's own keys, and userinfo."""

from __future__ import annotations

import jwt
import pytest

from .signin import App, make_app, make_person, verified_claims


@pytest.fixture
def ann(api):
    return make_person("ann")


@pytest.fixture
def app(api, ann) -> App:
    return App(api.base_url, make_app(), scope="openid profile email read:timesheets")


def test_the_token_answer_holds_an_id_token_for_the_app_with_the_nonce(app, ann, api):
    token = app.fetch_token(app.sign_in_and_authorize(nonce="n-0S6_WzA2Mj"))

    claims = verified_claims(api.base_url, token["id_token"], audience=app.session.client_id)
    assert jwt.get_unverified_header(token["id_token"])["alg"] == "RS256"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sub"] == ann.subject
    assert token["scope"] == "openid profile email read:timesheets"


def test_userinfo_names_the_person(app, ann, api):
    token = app.fetch_token(app.sign_in_and_authorize(nonce="n-1"))

    response = api.get("/oauth/userinfo", token=token["access_token"])

    assert response.status_code == 200
    assert response.json() == {
        "sub": ann.subject,
        "name": "Ann Smith",
        "preferred_username": "ann",
        "email": "ann@abc.example",
    }


def test_userinfo_needs_the_openid_scope(api, ann):
    app = App(api.base_url, make_app(), scope="read:timesheets")
    token = app.fetch_token(app.sign_in_and_authorize())
    # oauthlib checks the scope with the token itself: refused as a token not valid for it.
    assert api.get("/oauth/userinfo/", token=token["access_token"]).status_code == 401


def test_without_openid_there_is_no_id_token(api, ann):
    app = App(api.base_url, make_app(), scope="read:timesheets")
    assert "id_token" not in app.fetch_token(app.sign_in_and_authorize())
