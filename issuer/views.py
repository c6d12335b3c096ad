from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider import views as oauth2_views

from common.scopes import OIDC_SCOPES

from . import backends, client_secrets, conf, crypto, keys, seal_check, throttling

logger = logging.getLogger(__name__)


def _require_embedded() -> None:
    if not conf.is_embedded():
        raise Http404("The embedded authorization server is off: OAUTH_ISSUER names another issuer.")


# RFC 6749 §5.2 makes error_description optional; the API's clients get one with every error.
ERROR_DESCRIPTIONS = {
    "invalid_request": "The request is missing a parameter, repeats one, or is malformed.",
    "invalid_client": "Client authentication failed: unknown client, wrong secret, or a disabled client.",
    "invalid_grant": "The grant is invalid.",
    "unauthorized_client": "This client may not use this grant.",
    "unsupported_grant_type": (
        "This server offers the client_credentials, authorization_code and refresh_token grants."
    ),
    "invalid_scope": "The requested scope is unknown or beyond what the client was granted.",
    "invalid_target": "The requested API is unknown.",
}
OFFERED_GRANTS = ("client_credentials", "authorization_code", "refresh_token")
# A public app (a phone, a browser) names itself and proves nothing else: PKCE does.
AUTH_METHODS = ["client_secret_post", "client_secret_basic", "none"]


def token_error(error: str, status: int, description: str | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": error, "error_description": description or ERROR_DESCRIPTIONS[error]}, status=status
    )


def with_description(response: HttpResponse) -> HttpResponse:
    """Adds the error_description oauthlib leaves out of some errors (invalid_client, for one)."""
    if response.status_code < 400 or not response.get("Content-Type", "").startswith("application/json"):
        return response
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    if isinstance(body, dict) and body.get("error") and not body.get("error_description"):
        body["error_description"] = ERROR_DESCRIPTIONS.get(body["error"], "The token request was refused.")
        response.content = json.dumps(body).encode()
    return response


def too_many_failures() -> JsonResponse:
    response = token_error("too_many_requests", 429, "Too many failed client authentications.")
    response["Retry-After"] = str(settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW)
    return response


def busy_error(busy: client_secrets.Busy) -> JsonResponse:
    error = "too_many_requests" if busy.status == 429 else "temporarily_unavailable"
    response = token_error(error, busy.status, busy.description)
    response["Retry-After"] = str(client_secrets.RETRY_AFTER_SECONDS)
    return response


class TokenView(oauth2_views.TokenView):
    """POST /oauth/token: client credentials for clients, authorization code and refresh for
    people's apps; every error as RFC 6749 §5.2 with a description."""

    # Control characters in any parameter or header are refused here, as `invalid_request`
    # counted against the caller, rather than by the API's generic middleware.
    checks_control_characters = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require_embedded()
        response = with_description(self._answer(request, *args, **kwargs))
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    def _answer(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        client_id = backends.presented_client_id(request)
        # A public client has no secret to guess: a lockout or a slot would protect nothing and
        # let anyone behind the same NAT lock the app out for everyone there.
        public = client_secrets.is_public_client(client_id)
        if backends.has_control_characters(request):
            # Hostile or broken: counted as a failed authentication, never sent to the database.
            if not public:
                self._failed(request, client_id, "a control character in a parameter")
            return token_error("invalid_request", 400, "A parameter holds a control character.")
        params = dict(backends.token_request_params(request))
        grant_type = params.get("grant_type")
        if grant_type is not None and grant_type not in OFFERED_GRANTS:
            # Before oauthlib, which would answer a grant it knows (password: "missing
            # username") as if this server offered it.
            return token_error("unsupported_grant_type", 400)
        if public:
            return self._answer_public(request, params, *args, **kwargs)
        if throttling.is_client_locked_out(request, client_id):
            # This client id failed too often from this address: answered before any hash.
            return too_many_failures()
        locked_out = throttling.is_locked_out(request, client_id)
        try:
            with client_secrets.address_slot(throttling.client_address(request)):
                response = self._issue(request, *args, **kwargs)
        except client_secrets.Busy as busy:
            return busy_error(busy)
        if response.status_code != 401:
            return response
        # Failures under other client ids (strangers at the same address) are counted after
        # the check: a client presenting its right secret is never locked out by them.
        self._failed(request, client_id, "wrong credentials")
        return too_many_failures() if locked_out else response

    def _answer_public(self, request: HttpRequest, params: dict[str, str], *args, **kwargs) -> HttpResponse:
        """A public client's request: no lockout, no slot, nothing counted against its address.

        A secret sent for it is refused as an authentication method it does not have (RFC 6749
        §5.2 `invalid_client`), before the toolkit would check it against the empty one.
        """
        basic = backends.basic_credentials(request)
        if (basic is not None and basic[1]) or params.get("client_secret"):
            response = token_error(
                "invalid_client",
                401,
                "This client is public: it sends its client_id and PKCE's code_verifier, no secret.",
            )
            if basic is not None:  # RFC 6749 §5.2: a 401 to HTTP Basic names the scheme
                response["WWW-Authenticate"] = 'Basic realm="oauth"'
            return response
        return self._issue(request, *args, **kwargs)

    def _issue(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except crypto.InvalidToken:  # a signing key the key-encryption key cannot open
            logger.error("Cannot sign a token: %s", seal_check.restore_hint())
            return token_error("temporarily_unavailable", 503, "The token service cannot sign tokens now.")

    def _failed(self, request: HttpRequest, client_id: str, reason: str) -> None:
        throttling.record_failure(request, client_id)
        # The client id names who is affected; a secret is never logged.
        logger.warning(
            "Client authentication failed for client_id=%r from %s: %s",
            client_id,
            throttling.client_address(request),
            reason,
        )


def with_issuer(uri: str, issuer: str) -> str:
    """The redirect with RFC 9207's `iss`, on answers and errors alike, beside the other
    parameters (in the fragment for response_mode=fragment).

    The library adds one to answers only, and derives it from the request's host without the
    trailing slash; the one issuer identifier is conf.embedded_issuer_url's.
    """
    parts = urlsplit(uri)
    query, fragment = (
        [(key, value) for key, value in parse_qsl(part, keep_blank_values=True) if key != "iss"]
        for part in (parts.query, parts.fragment)
    )
    (fragment if fragment else query).append(("iss", issuer))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=urlencode(fragment)))


class AuthorizationView(oauth2_views.AuthorizationView):
    """GET /oauth/authorize: the authorization code grant with PKCE, for people's apps.

    The library's view, which sends a person who is not signed in to LOGIN_URL and back, shows
    an unregistered redirect URI's error here instead of redirecting to it, and asks no
    consent of the apps registered with skip_authorization (ours are first-party).
    """

    template_name = "issuer/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_embedded()
        return super().dispatch(request, *args, **kwargs)

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        return super().redirect(with_issuer(redirect_to, conf.embedded_issuer_url(self.request)), application)


class RevokeTokenView(oauth2_views.RevokeTokenView):
    """POST /oauth/revoke: RFC 7009, a person's sign-out; a public app names itself by client_id."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_embedded()
        if backends.has_control_characters(request):
            return token_error("invalid_request", 400, "A parameter holds a control character.")
        response = with_description(super().post(request, *args, **kwargs))
        response["Cache-Control"] = "no-store"
        return response


class UserInfoView(oauth2_views.UserInfoView):
    """GET /oauth/userinfo: OpenID Connect's claims about the person, for a token with `openid`."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_embedded()
        return super().dispatch(request, *args, **kwargs)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    _require_embedded()
    try:
        response = JsonResponse(keys.jwks())
    except crypto.InvalidToken:
        logger.error("Cannot publish the signing keys: %s", seal_check.restore_hint())
        return JsonResponse({"detail": "The signing keys cannot be published now."}, status=503)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    """OpenID Connect discovery and RFC 8414 metadata: one document serves both."""
    _require_embedded()
    issuer = conf.embedded_issuer_url(request)
    return JsonResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": issuer + "oauth/authorize",
            "token_endpoint": issuer + "oauth/token",
            "revocation_endpoint": issuer + "oauth/revoke",
            "userinfo_endpoint": issuer + "oauth/userinfo",
            "jwks_uri": issuer + ".well-known/jwks.json",
            "grant_types_supported": list(OFFERED_GRANTS),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "scopes_supported": [*settings.TIMESHEETS_SCOPES, *OIDC_SCOPES],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [keys.ALGORITHM],
            "claims_supported": ["sub", "name", "preferred_username", "email"],
            "authorization_response_iss_parameter_supported": True,
        }
    )
