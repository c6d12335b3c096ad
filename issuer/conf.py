"""Whether the embedded issuer is on, and what it calls itself: decided here, once.

The API (which keys to trust, which `iss` to expect), the issuer's own views and the
OpenAPI document all ask these functions, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def public_issuer_url() -> str | None:
    """`TIMESHEETS_PUBLIC_URL/`, the pinned identifier, or None when it is taken from each request."""
    base = settings.TIMESHEETS_PUBLIC_URL
    return base.rstrip("/") + "/" if base else None


def is_embedded() -> bool:
    """On unless OAUTH_ISSUER (or AUTH0_DOMAIN) names another issuer than this server.

    OAUTH_ISSUER set to this server's own pinned URL keeps it on: a deployment may name its
    issuer explicitly. OAUTH_JWKS_URL plays no part: it only says where an outside issuer's
    keys are.
    """
    return settings.OAUTH_ISSUER is None or settings.OAUTH_ISSUER == public_issuer_url()


def embedded_issuer_url(request: HttpRequest | None) -> str:
    """This server's own identifier: the `iss` of its tokens and the `issuer` of its metadata.

    Pinned by TIMESHEETS_PUBLIC_URL whatever `Host` a caller used, so that a token fetched
    under one name of the server is accepted under another. Unset (local use), it follows the
    host the caller used, as RFC 8414 §3.3 has the metadata's issuer match the URL it was
    fetched from (ALLOWED_HOSTS limits which hosts exist).
    """
    pinned = public_issuer_url()
    if pinned is not None:
        return pinned
    if request is None:
        raise ValueError("TIMESHEETS_PUBLIC_URL is unset, so the issuer is named by the request")
    return request.build_absolute_uri("/")


def outside_issuer_url() -> str:
    """OAUTH_ISSUER, the issuer the API trusts when the embedded one is off."""
    issuer = settings.OAUTH_ISSUER
    if issuer is None or is_embedded():
        raise ValueError("the embedded issuer is on: no outside issuer is configured")
    return issuer


def expected_issuer(request: HttpRequest) -> str:
    """The one `iss` the API accepts."""
    return embedded_issuer_url(request) if is_embedded() else outside_issuer_url()


# The grants by which an app acts for a person: their tokens are the person's, not a client's.
PERSON_GRANTS = frozenset({"authorization_code", "refresh_token"})


def _provider_seconds(name: str) -> int:
    """A lifetime from OAUTH2_PROVIDER, which settings.py fills with whole numbers."""
    seconds = settings.OAUTH2_PROVIDER[name]
    if not isinstance(seconds, int):
        raise ImproperlyConfigured(f"OAUTH2_PROVIDER[{name!r}] must be a whole number of seconds")
    return seconds


def token_lifetime() -> int:
    """A client's (client credentials) access token lifetime."""
    return _provider_seconds("ACCESS_TOKEN_EXPIRE_SECONDS")


def person_token_lifetime() -> int:
    return int(settings.OAUTH_PERSON_TOKEN_SECONDS)


def access_token_lifetime(request: Any) -> int:
    """oauthlib's `token_expires_in`: the `expires_in` of a token answer, and its JWT's `exp`."""
    return person_token_lifetime() if request.grant_type in PERSON_GRANTS else token_lifetime()


def longest_token_lifetime() -> int:
    """How long a retired signing key stays published: until every token it signed has expired."""
    return max(token_lifetime(), person_token_lifetime(), _provider_seconds("ID_TOKEN_EXPIRE_SECONDS"))
