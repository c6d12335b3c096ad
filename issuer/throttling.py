"""Failed client authentications, counted per client id and per address in Django's cache.

In Redis when REDIS_URL is set, so every API instance sees the same counts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .backends import token_request_params


def _client_id(request: HttpRequest) -> str:
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credentials, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return dict(token_request_params(request)).get("client_id", "")


def _keys(request: HttpRequest) -> list[str]:
    client_digest = hashlib.sha256(_client_id(request).encode()).hexdigest()
    return [
        f"issuer:auth-failures:client:{client_digest}",
        f"issuer:auth-failures:addr:{request.META.get('REMOTE_ADDR', '')}",
    ]


def is_locked_out(request: HttpRequest) -> bool:
    counts = cache.get_many(_keys(request)).values()
    return any(count >= settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT for count in counts)


def record_failure(request: HttpRequest) -> None:
    for key in _keys(request):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW)
