"""Failed client authentications, counted per (client id, address) and per address.

Not per client id alone: client ids are public (every token and entry names one), so that
would let anyone lock the import job out from anywhere. The counts are in Django's cache,
Redis when REDIS_URL is set, so that every instance sees the same ones.
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
    address = request.META.get("REMOTE_ADDR", "")
    client_digest = hashlib.sha256(f"{_client_id(request)}|{address}".encode()).hexdigest()
    return [f"issuer:auth-failures:client-at:{client_digest}", f"issuer:auth-failures:addr:{address}"]


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
