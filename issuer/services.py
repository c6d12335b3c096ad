from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret

from . import redirects
from .models import ApiClient, ClientGrant


class UnknownScope(ValueError):
    pass


InvalidRedirectUri = redirects.InvalidRedirectUri


class PublicClientHasNoSecret(ValueError):
    """A public app (a browser, a phone) keeps no secret: PKCE proves it. Giving it one would
    make the toolkit demand it, and its rotation time would sign everyone out of it."""

    def __init__(self, client: ApiClient) -> None:
        super().__init__(f"{client} is a public app: it has no secret to rotate (PKCE signs it in).")


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_secret: str  # in clear only here: the database keeps a hash; "" for a public app


@transaction.atomic
def api_client_create(*, name: str, scopes: list[str], audience: str | None = None) -> NewClient:
    """Registers a machine-to-machine client granted `scopes` on the API."""
    unknown = sorted(set(scopes) - set(settings.TIMESHEETS_SCOPES))
    if unknown:
        raise UnknownScope(f"Unknown scopes: {', '.join(unknown)}")
    secret = generate_client_secret()
    client = ApiClient.objects.create(
        name=name,
        client_type=ApiClient.CLIENT_CONFIDENTIAL,
        authorization_grant_type=ApiClient.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    ClientGrant.objects.create(
        client=client, audience=audience or settings.OAUTH_AUDIENCE, scope=" ".join(scopes)
    )
    return NewClient(client=client, client_secret=secret)


def api_client_reset_secret(*, client: ApiClient) -> str:
    """A new secret for the same client id, so that what the client wrote stays its own.

    The old secret stops at once (only the new hash is kept), and so do the tokens issued
    before: the API refuses a token older than `secret_rotated_at` (issuer/revocation.py).
    A public app has no secret: PublicClientHasNoSecret.
    """
    if client.client_type != ApiClient.CLIENT_CONFIDENTIAL:
        raise PublicClientHasNoSecret(client)
    secret = generate_client_secret()
    client.client_secret = secret
    client.hash_client_secret = True
    client.secret_rotated_at = timezone.now()
    client.save(update_fields=["client_secret", "hash_client_secret", "secret_rotated_at", "updated"])
    return secret


def api_client_set_active(*, client: ApiClient, active: bool) -> None:
    """Off: no new token, and the API refuses the tokens it holds within seconds (issuer/revocation.py)."""
    client.is_active = active
    client.save(update_fields=["is_active", "updated"])


@transaction.atomic
def app_client_create(*, name: str, redirect_uris: list[str], confidential: bool = False) -> NewClient:
    """Registers an app people sign in to: the authorization code grant with PKCE.

    Public by default (a phone or a browser keeps no secret: PKCE binds the code to the app
    instance instead). First-party, so people are asked no consent (skip_authorization).
    Scopes come from each person's role, so an app has no client grant.
    """
    if not redirect_uris:
        raise InvalidRedirectUri("An app needs at least one redirect URI.")
    for uri in redirect_uris:
        redirects.check_registrable(uri)
    secret = generate_client_secret() if confidential else ""
    client = ApiClient.objects.create(
        name=name,
        client_type=ApiClient.CLIENT_CONFIDENTIAL if confidential else ApiClient.CLIENT_PUBLIC,
        authorization_grant_type=ApiClient.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        client_secret=secret,
        hash_client_secret=confidential,
        skip_authorization=True,
    )
    return NewClient(client=client, client_secret=secret)
