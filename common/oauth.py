"""Which issuer and API the deployment names, and where its metadata says its endpoints are.

Both the API (to find the issuer's keys, and to show Swagger UI the token URL) and the
importer (to ask for tokens) follow these rules, so they cannot disagree about the issuer.
"""

from __future__ import annotations

import os
import time
from typing import Any, NamedTuple

import requests

from .http import read_within

DEFAULT_AUDIENCE = "https://timesheets.abc.example/api"
# OpenID Connect Discovery first (Auth0, Okta, Keycloak), then RFC 8414.
METADATA_PATHS = ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")
# A metadata document is a few kilobytes; Auth0's is under 3 KB.
MAX_METADATA_BYTES = 256 * 1024


def auth0_domain() -> str | None:
    """AUTH0_DOMAIN as a bare host name, whether or not it was written with https://."""
    return os.getenv("AUTH0_DOMAIN", "").strip().removeprefix("https://").strip("/") or None


def configured_issuer() -> str | None:
    """OAUTH_ISSUER, else the Auth0 tenant's; None means the embedded issuer."""
    domain = auth0_domain()
    return os.getenv("OAUTH_ISSUER") or (f"https://{domain}/" if domain else None)


def configured_audience() -> str:
    return os.getenv("OAUTH_AUDIENCE") or DEFAULT_AUDIENCE


class TokenUrl(NamedTuple):
    url: str | None  # None: not known without asking the issuer (discover it)
    variable: str  # the setting that decided it, for a message to say what to check


def known_token_url(issuer: str | None, embedded_base: str, *, base_variable: str) -> TokenUrl:
    """The token URL when it is known without asking the issuer, and the variable that set it.

    OAUTH_TOKEN_URL wins; an Auth0 tenant's is fixed; the embedded issuer's (`issuer` None)
    sits under `embedded_base`, set by `base_variable` (the API's URL for the importer, the
    public URL, or "" for a same-origin browser, for the API); else OAUTH_ISSUER's metadata
    names it. One order, so the URL and the variable a message names cannot disagree.
    """
    explicit = os.getenv("OAUTH_TOKEN_URL")
    if explicit:
        return TokenUrl(explicit, "OAUTH_TOKEN_URL")
    domain = auth0_domain()
    if domain:
        return TokenUrl(f"https://{domain}/oauth/token", "AUTH0_DOMAIN")
    if issuer is None:
        return TokenUrl(f"{embedded_base.rstrip('/')}/oauth/token", base_variable)
    return TokenUrl(None, "OAUTH_ISSUER")


def issuer_metadata(
    issuer: str, *, timeout: tuple[float, float], session: requests.Session | None = None
) -> dict[str, Any]:
    """The issuer's metadata document, or {} when it publishes none.

    A document that is absent (4xx) falls through to the next path; a network error or a 5xx
    raises requests.RequestException, so that an issuer that is down is not mistaken for one
    without metadata. Each answer is read within MAX_METADATA_BYTES and `timeout` counted for
    the whole answer (common/http.py): an issuer cannot hold the importer's run, or a worker.
    """
    get = session.get if session is not None else requests.get
    base = issuer.rstrip("/")
    for path in METADATA_PATHS:
        deadline = time.monotonic() + timeout[0] + timeout[1]
        response = get(base + path, timeout=timeout, stream=True)
        read_within(response, deadline, MAX_METADATA_BYTES)
        if response.status_code >= 500:
            response.raise_for_status()
        try:
            metadata = response.json() if response.ok else None
        except ValueError:
            metadata = None
        if isinstance(metadata, dict):
            return metadata
    return {}


def metadata_url(metadata: dict[str, Any], name: str) -> str | None:
    value = metadata.get(name)
    return value if isinstance(value, str) and value else None
