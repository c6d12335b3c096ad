from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from typing import Any
from urllib.parse import unquote_plus

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
    params: list[tuple[str, str]] = []
    for key, value in body.items():
        values = value if key == "resource" and isinstance(value, list) else [value]
        params.extend((key, item) for item in values if isinstance(item, str))
    return params


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """(client_id, client_secret) from HTTP Basic, decoded as django-oauth-toolkit decodes them.

    RFC 6749 §2.3.1 form-encodes both before base64, so "%00" in them is a NUL once decoded.
    """
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def presented_client_id(request: HttpRequest) -> str:
    """The client id the caller claims, from HTTP Basic or the body: for the lockout and the log."""
    basic = basic_credentials(request)
    if basic is not None:
        return basic[0]
    return dict(token_request_params(request)).get("client_id", "")


def has_control_characters(request: HttpRequest) -> bool:
    """Whether any parameter (query, body, HTTP Basic) holds a control character.

    None belongs in a client id, a secret or a scope, and a NUL would reach the database,
    which PostgreSQL refuses with an error instead of a miss.
    """
    texts = [text for pair in token_request_params(request) for text in pair]
    texts += [text for key, values in request.GET.lists() for text in (key, *values)]
    texts += basic_credentials(request) or ()
    return any(unicodedata.category(char) == "Cc" for text in texts for char in text)


class FormOrJSONOAuthLibCore(OAuthLibCore):
    def extract_body(self, request: HttpRequest) -> list[tuple[str, str]]:
        return token_request_params(request)

    def extract_headers(self, request: HttpRequest) -> dict[str, Any]:
        headers = super().extract_headers(request)
        # A key no client header can produce (those arrive as HTTP_*).
        headers[ISSUER_HEADER] = conf.embedded_issuer_url(request)
        return headers
