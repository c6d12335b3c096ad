"""django-oauth-toolkit's validator, told what this issuer grants to whom.

A client (client credentials) gets the scopes of its grant on the API, as in Auth0's client
grants. An app signing a person in (authorization code, refresh) gets what the person's role
allows, narrowed rather than refused, and only for a person whose sign-in is active. Both
name the one API (OAUTH_AUDIENCE), and ID tokens are signed with the issuer's own keys.
"""

from __future__ import annotations

import re
from typing import Any

import jwt
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import router, transaction
from oauth2_provider.models import get_grant_model, get_id_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from common import scopes as api_scopes
from people.models import Person

from . import client_secrets, keys, redirects, tokens
from .models import ClientGrant

# RFC 7636 §4.2: BASE64URL(SHA-256(verifier)), always 43 characters.
S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
NONCE_MAX_LENGTH = get_grant_model()._meta.get_field("nonce").max_length


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


def check_audience(request: Any) -> str:
    audience = requested_audience(request)
    if audience != settings.OAUTH_AUDIENCE:
        raise errors.CustomOAuth2Error(
            error="invalid_target", description=f"Unknown API: {audience}", request=request
        )
    return audience


def active_person(user: Any) -> Person | None:
    """The person signing in, or None for a user who is none or whose sign-in is switched off."""
    if user is None or not user.is_active:
        return None
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def person_scopes(person: Person, requested: list[str]) -> list[str]:
    """The requested scopes a person's role allows, in the order asked: narrowed, never refused."""
    allowed = person.allowed_scopes | set(api_scopes.OIDC_SCOPES)
    return [scope for scope in requested if scope in allowed]


class IssuerValidator(OAuth2Validator):
    def _is_client_grant(self, request: Any) -> bool:
        return request.grant_type == "client_credentials"

    # --- both -------------------------------------------------------------------------

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
        audience = check_audience(request)
        if self._is_client_grant(request):
            grant = ClientGrant.objects.filter(client=client, audience=audience).first()
            if grant is None:
                raise errors.UnauthorizedClientError(
                    description=f"The client is not granted access to {audience}.", request=request
                )
            request.scopes_granted = grant.scopes
        else:
            # Only ever the one API: kept off the stored tokens, where the library would also
            # hold userinfo to it (RFC 8707 audience checks).
            request.resource = []
        request.audience_granted = audience
        return True

    def get_default_scopes(self, client_id: str, request: Any, *args, **kwargs) -> list[str]:
        if self._is_client_grant(request):
            return request.scopes_granted
        # At /oauth/authorize: everything the API has, narrowed to the role when the code is made.
        return list(settings.TIMESHEETS_SCOPES)

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args, **kwargs
    ) -> bool:
        if not self._is_client_grant(request):
            return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
        beyond = sorted(set(scopes) - set(request.scopes_granted))
        if beyond:
            raise errors.InvalidScopeError(
                description=f"Not granted to this client: {' '.join(beyond)}", request=request
            )
        return True

    # --- /oauth/authorize -------------------------------------------------------------

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *args, **kwargs
    ) -> bool:
        # The code flow only (RFC 9700 §2.1.2), and for the one API.
        check_audience(request)
        return response_type == "code" and super().validate_response_type(
            client_id, response_type, client, request, *args, **kwargs
        )

    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args, **kwargs) -> bool:
        return redirects.is_registered(
            redirect_uri, request.client.redirect_uris.split(), request.headers[tokens.ISSUER_HEADER]
        )

    def get_default_redirect_uri(self, client_id: str, request: Any, *args, **kwargs) -> str | None:
        registered = request.client.redirect_uris.split()
        if len(registered) != 1:
            return None  # more than one: the app must say which (RFC 6749 §3.1.2.3)
        return redirects.absolute(registered[0], request.headers[tokens.ISSUER_HEADER])

    def save_authorization_code(self, client_id: str, code: dict, request: Any, *args, **kwargs) -> None:
        person = active_person(request.user)
        if person is None:
            # RFC 6749 §4.1.2.1, on the redirect: a staff sign-in is not a person.
            raise errors.AccessDeniedError(
                description="Only a person with an active sign-in may use this app.", request=request
            )
        if request.code_challenge_method != "S256" or not S256_CHALLENGE.fullmatch(
            request.code_challenge or ""
        ):
            raise errors.InvalidRequestError(
                description="PKCE with S256 only: a code_challenge of 43 base64url characters (RFC 7636).",
                request=request,
            )
        if len(request.nonce or "") > NONCE_MAX_LENGTH:
            raise errors.InvalidRequestError(
                description=f"The nonce is longer than {NONCE_MAX_LENGTH} characters.", request=request
            )
        request.scopes = person_scopes(person, request.scopes)
        request.resource = []  # checked by validate_response_type; see validate_grant_type
        super().save_authorization_code(client_id, code, request, *args, **kwargs)

    # --- /oauth/token: authorization code and refresh ---------------------------------

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args, **kwargs) -> bool:
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        request.scopes = [scope for scope in request.scopes if scope]  # "" is no scope
        return active_person(request.user) is not None

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Any, *args, **kwargs
    ) -> bool:
        # RFC 6749 §5.2 names this invalid_grant; oauthlib would answer invalid_request.
        if not super().confirm_redirect_uri(client_id, code, redirect_uri, client, request, *args, **kwargs):
            raise errors.InvalidGrantError(
                description="The redirect_uri is not the one the code was issued for.", request=request
            )
        return True

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any, *args, **kwargs) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return active_person(request.user) is not None

    def get_original_scopes(self, refresh_token: str, request: Any, *args, **kwargs) -> list[str]:
        # A role changed since sign-in bounds the next token already.
        original = super().get_original_scopes(refresh_token, request, *args, **kwargs)
        if isinstance(original, str):
            original = original.split()
        return person_scopes(request.user.person, original)

    # --- OpenID Connect ----------------------------------------------------------------

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        return request.headers[tokens.ISSUER_HEADER]

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        # Filtered by scope in the library: sub by openid, the names by profile, email by email.
        account = request.user
        return {
            "sub": account.person.subject,
            "name": account.person.name,
            "preferred_username": account.get_username(),
            "email": account.email,
        }

    def finalize_id_token(self, id_token: dict, token: dict, token_handler: Any, request: Any) -> str:
        """As the library's, signed with the issuer's own key instead of OIDC_RSA_PRIVATE_KEY,
        so the JWKS at /.well-known/jwks.json covers ID tokens too."""
        claims, expires = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        with transaction.atomic(using=router.db_for_write(get_id_token_model())):
            saved = self._save_id_token(id_token["jti"], request, expires)
        request.access_token = request.id_token = saved
        return tokens.sign(id_token, "JWT")

    def _load_id_token(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = keys.public_key(kid) if isinstance(kid, str) else None
            if key is None:
                return None
            claims = jwt.decode(
                token, key, algorithms=[keys.ALGORITHM], options={"verify_aud": False, "verify_exp": False}
            )
        except jwt.PyJWTError:
            return None
        return get_id_token_model().objects.filter(jti=claims.get("jti")).first()

    def validate_bearer_token(self, token: str, scopes: list[str], request: Any) -> bool:
        # userinfo: a person switched off is nobody, at once.
        if not super().validate_bearer_token(token, scopes, request):
            return False
        return request.user is None or active_person(request.user) is not None
