from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider import views as oauth2_views

from . import conf, keys, throttling

logger = logging.getLogger(__name__)


def _require_embedded() -> None:
    if not conf.is_embedded():
        raise Http404("The embedded authorization server is off: OAUTH_ISSUER names another issuer.")


class TokenView(oauth2_views.TokenView):
    """POST /oauth/token: the client credentials grant, errors as RFC 6749 §5.2."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _require_embedded()
        if throttling.is_locked_out(request):
            response = JsonResponse(
                {
                    "error": "too_many_requests",
                    "error_description": "Too many failed client authentications.",
                },
                status=429,
            )
            response["Retry-After"] = str(settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW)
        else:
            response = super().post(request, *args, **kwargs)
            if response.status_code == 401:
                throttling.record_failure(request)
                logger.warning("Client authentication failed from %s", request.META.get("REMOTE_ADDR"))
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


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
            "token_endpoint": issuer + "oauth/token",
            "jwks_uri": issuer + ".well-known/jwks.json",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": list(settings.TIMESHEETS_SCOPES),
            "response_types_supported": ["token"],
        }
    )
