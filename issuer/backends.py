from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import OAuthLibCore

from . import conf
from .tokens import ISSUER_HEADER


def token_request_params(request: HttpRequest) -> list[tuple[str, str]]:
    """The token request's parameters from a form or a JSON body: Auth0 takes both.

    django-oauth-toolkit reads one or the other, chosen once in settings. A JSON value
    that is not a string (or, for `resource`, a list of strings) is dropped, and the
    grant then fails for the missing parameter with a §5.2 error.
    """
    if request.content_type != "application/json":
        # Every value, repeated ones included: oauthlib refuses a repeated parameter
        # (RFC 6749 §3.2) only if it sees it.
        return [(key, value) for key, values in request.POST.lists() for value in values]
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return []
    if not isinstance(body, dict):
        return []
    params = []
    for key, value in body.items():
        values = value if key == "resource" and isinstance(value, list) else [value]
        params.extend((key, item) for item in values if isinstance(item, str))
    return params


class FormOrJSONOAuthLibCore(OAuthLibCore):
    def extract_body(self, request: HttpRequest) -> list[tuple[str, str]]:
        return token_request_params(request)

    def extract_headers(self, request: HttpRequest) -> dict[str, Any]:
        headers = super().extract_headers(request)
        # A key no client header can produce (those arrive as HTTP_*).
        headers[ISSUER_HEADER] = conf.embedded_issuer_url(request)
        return headers
