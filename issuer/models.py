from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.models import AbstractApplication

from . import redirects


class ApiClient(AbstractApplication):
    """An application of the embedded issuer, as in Auth0: a machine-to-machine client
    (client credentials), or an app people sign in to (authorization code with PKCE)."""

    is_active = models.BooleanField(default=True, help_text="A disabled client is refused as invalid_client.")
    secret_rotated_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Tokens issued before this are refused by the API."
    )

    class Meta(AbstractApplication.Meta):
        verbose_name = "API client"

    def is_usable(self, request: Any) -> bool:
        return self.is_active

    def get_allowed_schemes(self) -> list[str]:
        return redirects.allowed_schemes(self.redirect_uris.split())

    def clean(self) -> None:
        # The library's own check knows neither paths on this server nor private-use schemes.
        errors = []
        for uri in self.redirect_uris.split():
            try:
                redirects.check_registrable(uri)
            except redirects.InvalidRedirectUri as exc:
                errors.append(str(exc))
        if not self.redirect_uris.split() and self.authorization_grant_type == self.GRANT_AUTHORIZATION_CODE:
            errors.append("An app signing people in needs at least one redirect URI.")
        if errors:
            raise ValidationError({"redirect_uris": errors})


class ClientGrant(models.Model):
    """The scopes a client may be given on one API, as Auth0's client grants."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="grants")
    audience = models.CharField(max_length=255, help_text="The API identifier (OAUTH_AUDIENCE).")
    scope = models.CharField(max_length=1000, blank=True, help_text="Space separated.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "audience"], name="one_grant_per_audience")]

    def __str__(self) -> str:
        return f"{self.client} on {self.audience}: {self.scope}"

    def clean(self) -> None:
        # The admin's form: a mistyped scope would otherwise be granted as written, silently.
        unknown = sorted(set(self.scopes) - set(settings.TIMESHEETS_SCOPES))
        if unknown:
            raise ValidationError({"scope": f"Unknown scopes: {', '.join(unknown)}"})

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()


class SigningKey(models.Model):
    """An RS256 key pair of the embedded issuer. The newest unretired one signs.

    The private key is kept sealed (issuer/crypto.py): a copy of the database alone cannot
    sign tokens.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_sealed = models.TextField(help_text="PKCS#8 PEM, sealed with the key-encryption key.")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="When a newer key took over.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.kid

    @cached_property
    def private_key(self) -> Any:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        from .crypto import open_sealed

        # cryptography's RSA key check costs about 50 ms a load, paid on every token signed from
        # a freshly read key. It guards against keys of unknown origin; this one was made by
        # issuer/keys.py and comes out of an authenticated seal (Fernet's HMAC), so it is skipped.
        return load_pem_private_key(
            open_sealed(self.private_key_sealed).encode(), password=None, unsafe_skip_rsa_key_validation=True
        )
