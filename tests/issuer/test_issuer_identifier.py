"""The embedded issuer's identifier: pinned by TIMESHEETS_PUBLIC_URL, else taken from the request."""

from __future__ import annotations

import jwt
import pytest

from issuer import conf
from tests.support.clients import InProcessApi
from timesheets import jwks
from timesheets.schema import docs_token_url

PUBLIC = "https://timesheets.abc.example"


def other_name() -> InProcessApi:
    """The same server reached under another of its names."""
    return InProcessApi(host="127.0.0.1")


@pytest.fixture
def pinned(settings) -> str:
    settings.TIMESHEETS_PUBLIC_URL = PUBLIC
    return PUBLIC + "/"


def test_a_pinned_identifier_ignores_the_host_header(app, pinned):
    for caller in (app, other_name()):
        metadata = caller.get("/.well-known/openid-configuration").json()
        assert metadata["issuer"] == pinned
        assert metadata["token_endpoint"] == pinned + "oauth/token"
        assert metadata["jwks_uri"] == pinned + ".well-known/jwks.json"


def test_a_token_fetched_under_one_name_is_accepted_under_another(app, pinned):
    token = app.fetch_token(scope="read:timesheets")
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == pinned
    assert other_name().get("/timesheets", token=token).status_code == 200


def test_unpinned_the_identifier_follows_the_host_as_before(app):
    token = app.fetch_token(scope="read:timesheets")
    assert app.get("/.well-known/openid-configuration").json()["issuer"] == app.base_url + "/"
    assert other_name().get("/timesheets", token=token).status_code == 401


def test_oauth_issuer_naming_this_server_keeps_the_embedded_issuer_on(app, pinned, settings):
    settings.OAUTH_ISSUER = pinned
    assert conf.is_embedded()
    assert isinstance(jwks.key_source(), jwks.EmbeddedKeys)
    assert app.get("/timesheets", token=app.fetch_token(scope="read:timesheets")).status_code == 200


def test_a_jwks_url_alone_does_not_turn_the_embedded_issuer_off(settings):
    settings.OAUTH_JWKS_URL = "https://keys.example/jwks.json"
    assert conf.is_embedded()
    assert isinstance(jwks.key_source(), jwks.EmbeddedKeys)


def test_an_outside_issuer_is_read_over_http(settings):
    settings.OAUTH_ISSUER = "https://abc.eu.auth0.com/"
    assert not conf.is_embedded()
    assert isinstance(jwks.key_source(), jwks.JWKSCache)


def test_swagger_asks_the_pinned_token_url(pinned):
    assert docs_token_url() == pinned + "oauth/token"


def test_swagger_asks_the_pages_own_origin_when_unpinned():
    assert docs_token_url() == "/oauth/token"
