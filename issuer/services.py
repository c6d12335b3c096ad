from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret

from .models import ApiClient, ClientGrant


class UnknownScope(ValueError):
    pass


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_secret: str  # in clear only here: the database keeps a hash


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
    """
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
