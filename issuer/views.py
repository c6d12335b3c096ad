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

from . import backends, conf, keys, throttling

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
        if backends.has_control_characters(request):
            # Hostile or broken: counted as a failed authentication, never sent to the database.
            self._failed(request, backends.presented_client_id(request), "a control character in a parameter")
            return token_error("invalid_request", 400, "A parameter holds a control character.")
        params = dict(backends.token_request_params(request))
        grant_type = params.get("grant_type")
        if grant_type is not None and grant_type not in OFFERED_GRANTS:
            # Before oauthlib, which would answer a grant it knows (password: "missing
            # username") as if this server offered it.
            return token_error("unsupported_grant_type", 400)
        client_id = backends.presented_client_id(request)
        locked_out = throttling.is_locked_out(request, client_id)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 401:
            return response
        # The secret was checked first: a client presenting its right one is never locked out.
        self._failed(request, client_id, "wrong credentials")
        if not locked_out:
            return response
        response = token_error("too_many_requests", 429, "Too many failed client authentications.")
        response["Retry-After"] = str(settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW)
        return response

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
    """The redirect with RFC 9207's `iss`, on answers and errors alike.

    The library adds one to answers only, and derives it from the request's host without the
    trailing slash; the one issuer identifier is conf.embedded_issuer_url's.
    """
    parts = urlsplit(uri)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "iss"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("iss", issuer)])))


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
    response = JsonResponse(keys.jwks())
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
