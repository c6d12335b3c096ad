from __future__ import annotations

from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from . import client_secrets
from .models import ClientGrant


def requested_audience(request: Any) -> str:
    """`audience` (Auth0) or `resource` (RFC 8707) names the API; neither means OAUTH_AUDIENCE."""
    audience = getattr(request, "audience", None) or getattr(request, "resource", None)
    if isinstance(audience, list):
        if len(audience) != 1:
            raise errors.CustomOAuth2Error(
                error="invalid_target", description="Name exactly one API.", request=request
            )
        audience = audience[0]
    return audience or settings.OAUTH_AUDIENCE


class ClientGrantValidator(OAuth2Validator):
    """Scopes come from the client's grant on the requested API, as in Auth0's client grants."""

    def authenticate_client(self, request: Any, *args, **kwargs) -> bool:
        """The toolkit's check, plus the same work for an unknown client and a hash upgrade on success."""
        authenticated = super().authenticate_client(request, *args, **kwargs)
        presented = client_secrets.presented_secret(self._extract_basic_auth(request), request)
        if authenticated:
            client_secrets.upgrade_hash(request.client, presented)
        elif request.client is None:
            client_secrets.check_unknown_client(presented)
        return authenticated

    def _check_secret(self, provided_secret: str, stored_secret: str) -> bool:
        return client_secrets.check(provided_secret, stored_secret)

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args, **kwargs
    ) -> bool:
        if not super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs):
            return False
        audience = requested_audience(request)
        if audience != settings.OAUTH_AUDIENCE:
            raise errors.CustomOAuth2Error(
                error="invalid_target", description=f"Unknown API: {audience}", request=request
            )
        grant = ClientGrant.objects.filter(client=client, audience=audience).first()
        if grant is None:
            raise errors.UnauthorizedClientError(
                description=f"The client is not granted access to {audience}.", request=request
            )
        request.audience_granted = audience
        request.scopes_granted = grant.scopes
        return True

    def get_default_scopes(self, client_id: str, request: Any, *args, **kwargs) -> list[str]:
        return request.scopes_granted

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args, **kwargs
    ) -> bool:
        beyond = sorted(set(scopes) - set(request.scopes_granted))
        if beyond:
            raise errors.InvalidScopeError(
                description=f"Not granted to this client: {' '.join(beyond)}", request=request
            )
        return True
