"""PKCE S256 only, and a code that works once, for its app and redirect URI (RFC 6749 §4.1.3)."""

from __future__ import annotations

import pytest
from authlib.integrations.base_client.errors import OAuthError

from .signin import App, make_app, make_person


@pytest.fixture
def app(api) -> App:
    make_person("ann")
    return App(api.base_url, make_app(), scope="read:timesheets")


def test_a_plain_challenge_is_refused_on_the_redirect(app):
    app.session.code_challenge_method = None  # authlib would otherwise send S256
    redirect = app.sign_in_and_authorize(
        state="s-p", code_challenge=app.code_verifier, code_challenge_method="plain"
    )
    assert redirect.params["error"] == "invalid_request"
    assert redirect.params["state"] == "s-p"
    assert "code" not in redirect.params


def test_a_missing_challenge_is_refused_on_the_redirect(app):
    app.session.code_challenge_method = None
    redirect = app.sign_in_and_authorize(state="s-m")
    assert redirect.params["error"] == "invalid_request"
    assert redirect.params["state"] == "s-m"
    assert "code" not in redirect.params


def test_a_wrong_verifier_gets_no_token(app):
    redirect = app.sign_in_and_authorize()
    app.code_verifier = "another-verifier-of-forty-three-characters-long"
    with pytest.raises(OAuthError) as refused:
        app.fetch_token(redirect)
    assert refused.value.error == "invalid_grant"


def test_a_code_works_once(app):
    redirect = app.sign_in_and_authorize()
    app.fetch_token(redirect)
    with pytest.raises(OAuthError) as refused:
        app.fetch_token(redirect)
    assert refused.value.error == "invalid_grant"


def test_a_code_works_only_for_its_redirect_uri(api):
    make_person("ann")
    client_id = make_app("https://app.example/callback", "https://app.example/other")
    app = App(api.base_url, client_id, scope="read:timesheets")
    redirect = app.sign_in_and_authorize()
    app.session.redirect_uri = "https://app.example/other"
    with pytest.raises(OAuthError) as refused:
        app.fetch_token(redirect)
    assert refused.value.error == "invalid_grant"


def test_a_code_works_only_for_its_app(api):
    make_person("ann")
    app = App(api.base_url, make_app(), scope="read:timesheets")
    redirect = app.sign_in_and_authorize()
    other = App(api.base_url, make_app(), scope="read:timesheets")
    other.code_verifier = app.code_verifier
    with pytest.raises(OAuthError) as refused:
        other.fetch_token(redirect)
    assert refused.value.error == "invalid_grant"
