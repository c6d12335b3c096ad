from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider import views as oauth2_views

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
    "unsupported_grant_type": "This server offers only the client_credentials grant.",
    "invalid_scope": "The requested scope is unknown or beyond what the client was granted.",
    "invalid_target": "The requested API is unknown.",
}
OFFERED_GRANT = "client_credentials"


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
    """POST /oauth/token: the client credentials grant, every error as RFC 6749 §5.2 with a description."""

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
        if grant_type is not None and grant_type != OFFERED_GRANT:
            # Before oauthlib, which would answer a grant it knows (password: "missing
            # username") as if this server offered it.
            return token_error("unsupported_grant_type", 400)
        client_id = backends.presented_client_id(request)
        if throttling.is_client_locked_out(request, client_id):
            # This client id failed too often from this address: answered before any hash.
            return too_many_failures()
        locked_out = throttling.is_locked_out(request, client_id)
        try:
            with client_secrets.address_slot(throttling.client_address(request)):
                response = super().post(request, *args, **kwargs)
        except client_secrets.Busy as busy:
            return busy_error(busy)
        except crypto.InvalidToken:  # a signing key the key-encryption key cannot open
            logger.error("Cannot sign a token: %s", seal_check.restore_hint())
            return token_error("temporarily_unavailable", 503, "The token service cannot sign tokens now.")
        if response.status_code != 401:
            return response
        # Failures under other client ids (strangers at the same address) are counted after
        # the check: a client presenting its right secret is never locked out by them.
        self._failed(request, client_id, "wrong credentials")
        return too_many_failures() if locked_out else response

    def _failed(self, request: HttpRequest, client_id: str, reason: str) -> None:
        throttling.record_failure(request, client_id)
        # The client id names who is affected; a secret is never logged.
        logger.warning(
            "Client authentication failed for client_id=%r from %s: %s",
            client_id,
            throttling.client_address(request),
            reason,
        )


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
            "token_endpoint": issuer + "oauth/token",
            "jwks_uri": issuer + ".well-known/jwks.json",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": list(settings.TIMESHEETS_SCOPES),
            "response_types_supported": ["token"],
        }
    )
