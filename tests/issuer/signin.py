"""A people's app over real HTTP: authlib's OAuth2Session (PKCE S256), a person signing in
with the sign-in page's form, and the redirect read where the app would read it.

The server uses oauthlib; the app side here is another library, so the two agree on the
wire and not merely on shared code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from issuer.services import app_client_create
from people.models import Person

from ..factories import PersonFactory

PASSWORD = "a long passphrase nobody guesses"
REDIRECT_URI = "https://app.example/callback"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def make_person(username: str = "ann", *, manager: bool = False, user_id: str = "007") -> Person:
    return PersonFactory.create(
        user_id=user_id,
        manager=manager,
        account__username=username,
        account__first_name="Ann",
        account__last_name="Smith",
        account__email=f"{username}@abc.example",
        account__password=PASSWORD,
    )


def make_app(*redirect_uris: str) -> str:
    return app_client_create(
        name="Timesheets web", redirect_uris=list(redirect_uris or [REDIRECT_URI])
    ).client.client_id


def sign_in(
    session: requests.Session, base_url: str, username: str, password: str = PASSWORD, next_url: str = "/"
):
    """Posts the sign-in form as a browser would, CSRF token and all; returns the answer."""
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    found = CSRF_FIELD.search(page.text)
    assert found is not None, "no CSRF token on the sign-in page"
    token = found.group(1)
    return session.post(
        f"{base_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": next_url},
        allow_redirects=False,
        timeout=30,
    )


@dataclass
class Redirect:
    """Where /oauth/authorize sent the browser in the end: the app's redirect URI, or not."""

    status: int
    location: str | None
    body: str

    @property
    def params(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(self.location or "").query).items()}


_open_apps: list[App] = []


def close_apps() -> None:
    """Closes every app's connections. authlib's session sits in reference cycles, so its kept-alive
    connection would outlive the test and hold a live-server thread's database connection open
    (PostgreSQL then cannot drop the test database)."""
    while _open_apps:
        _open_apps.pop().close()


class App:
    """A public app, as a phone or a browser runs it: authlib's session with PKCE S256."""

    def __init__(
        self, base_url: str, client_id: str, *, redirect_uri: str = REDIRECT_URI, scope: str | None = None
    ):
        self.base_url = base_url
        self.redirect_uri = redirect_uri
        self.session = OAuth2Session(
            client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
        self.code_verifier = generate_token(48)
        self.browser = requests.Session()  # the person's browser: the sign-in cookie lives here
        _open_apps.append(self)

    def close(self) -> None:
        self.session.close()
        self.browser.close()

    def authorize_url(self, **params: Any) -> tuple[str, str]:
        return self.session.create_authorization_url(
            f"{self.base_url}/oauth/authorize", code_verifier=self.code_verifier, **params
        )

    def follow(self, url: str) -> Redirect:
        """Follows redirects on this server (the sign-in page and back) until the app's own."""
        for _ in range(5):
            response = self.browser.get(url, allow_redirects=False, timeout=30)
            location = response.headers.get("Location")
            if response.status_code != 302 or location is None:
                return Redirect(response.status_code, None, response.text)
            target = urljoin(url, location)
            if target.split("?")[0] == self.redirect_uri or not target.startswith(self.base_url + "/"):
                return Redirect(302, target, response.text)
            url = target
        raise AssertionError("too many redirects")

    def sign_in_and_authorize(self, username: str = "ann", **params: Any) -> Redirect:
        url, _state = self.authorize_url(**params)
        first = self.follow(url)
        if first.location is not None:  # an error on the redirect before any sign-in
            return first
        path = url[len(self.base_url) :]
        answer = sign_in(self.browser, self.base_url, username, next_url=path)
        assert answer.status_code == 302, answer.text
        return self.follow(url)

    def fetch_token(self, redirect: Redirect, **kwargs: Any) -> dict[str, Any]:
        return self.session.fetch_token(
            f"{self.base_url}/oauth/token",
            authorization_response=redirect.location,
            code_verifier=self.code_verifier,
            **kwargs,
        )

    def refresh(self, refresh_token: str, **kwargs: Any) -> dict[str, Any]:
        return self.session.refresh_token(
            f"{self.base_url}/oauth/token", refresh_token=refresh_token, **kwargs
        )

    def revoke(self, token: str, hint: str = "refresh_token") -> requests.Response:
        return self.session.revoke_token(f"{self.base_url}/oauth/revoke", token=token, token_type_hint=hint)


def verified_claims(base_url: str, token: str, audience: str | None = None) -> dict[str, Any]:
    """The token's claims once its signature checks against the issuer's published JWKS."""
    metadata = requests.get(f"{base_url}/.well-known/openid-configuration", timeout=30).json()
    client = jwt.PyJWKClient(metadata["jwks_uri"])
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer=metadata["issuer"],
        options={"verify_aud": audience is not None},
    )
