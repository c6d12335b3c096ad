"""Whether the embedded issuer is on, and what it calls itself."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def is_embedded() -> bool:
    """On unless OAUTH_ISSUER (or AUTH0_DOMAIN) names another issuer."""
    return settings.OAUTH_ISSUER is None


def embedded_issuer_url(request: HttpRequest) -> str:
    """This server's own address: the `iss` of its tokens and the `issuer` of its metadata.

    RFC 8414 §3.3 wants the metadata's issuer to be the URL it was fetched from, so the
    identifier follows the host the caller used (ALLOWED_HOSTS limits which ones exist).
    """
    return request.build_absolute_uri("/")


def token_lifetime() -> int:
    return settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]
