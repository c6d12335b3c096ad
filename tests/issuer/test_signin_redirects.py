"""Redirect URIs: only registered ones are ever redirected to; loopback on any port (RFC 8252
§7.3), private-use schemes (§7.1), and a path on this server's own base URL."""

from __future__ import annotations

import pytest

from issuer import redirects

from .signin import App, make_app, make_person


@pytest.fixture
def ann(api):
    return make_person("ann")


def test_an_unregistered_redirect_uri_is_never_redirected_to(api, ann):
    app = App(api.base_url, make_app(), redirect_uri="https://evil.example/callback")

    answer = app.sign_in_and_authorize(state="s")

    assert answer.status == 400
    assert answer.location is None
    assert "evil.example" not in answer.body


def test_an_unknown_app_is_never_redirected_to(api, ann):
    app = App(api.base_url, "no-such-app")
    answer = app.sign_in_and_authorize()
    assert answer.status == 400
    assert answer.location is None


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_a_loopback_redirect_matches_on_any_port(api, ann, host):
    app = App(api.base_url, make_app(f"http://{host}/callback"), redirect_uri=f"http://{host}:53117/callback")

    redirect = app.sign_in_and_authorize()

    assert (redirect.location or "").startswith(f"http://{host}:53117/callback?code=")
    assert app.fetch_token(redirect)["access_token"]


def test_a_private_use_scheme_works(api, ann):
    uri = "com.abc.timesheets:/callback"
    app = App(api.base_url, make_app(uri), redirect_uri=uri)

    redirect = app.sign_in_and_authorize()

    assert (redirect.location or "").startswith(uri + "?code=")
    assert app.fetch_token(redirect)["access_token"]


def test_a_registered_path_is_that_path_on_this_server(api, ann):
    app = App(api.base_url, make_app("/app/"), redirect_uri=f"{api.base_url}/app/")

    redirect = app.sign_in_and_authorize()

    assert redirect.status == 302
    assert redirect.params["code"]
    assert app.fetch_token(redirect)["access_token"]


def test_a_registered_path_matches_no_other_origin(api, ann):
    app = App(api.base_url, make_app("/app/"), redirect_uri="https://evil.example/app/")
    assert app.sign_in_and_authorize().status == 400


def test_other_errors_go_back_on_the_redirect_with_state_and_iss(api, ann):
    app = App(api.base_url, make_app(), scope="read:timesheets write:everything")

    redirect = app.sign_in_and_authorize(state="s-3")

    assert (redirect.location or "").startswith("https://app.example/callback?")
    assert redirect.params["error"] == "invalid_scope"
    assert redirect.params["state"] == "s-3"
    assert redirect.params["iss"] == api.get("/.well-known/openid-configuration").json()["issuer"]


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example/callback",
        "http://127.0.0.1/callback",
        "http://[::1]:8080/cb",
        "com.abc.timesheets:/callback",
        "/app/",
    ],
)
def test_these_may_be_registered(uri):
    redirects.check_registrable(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example/callback",  # http off loopback
        "http://localhost/callback",  # RFC 8252 §8.3: not recommended; use the IP
        "javascript:alert(1)",
        "data:text/html,hi",
        "myapp:/callback",  # not a reverse domain name
        "https://app.example/cb#frag",
        "https://user@app.example/cb",
        "//evil.example/cb",
    ],
)
def test_these_may_not(uri):
    with pytest.raises(redirects.InvalidRedirectUri):
        redirects.check_registrable(uri)
