"""Failed client authentications at /oauth/token, and the caller's address they are counted by.

Counted per (client id, address) and per address, never per client id alone: client ids are
public (every token and entry names one). Past OAUTH_CLIENT_AUTH_FAILURE_LIMIT, a (client id,
address) pair is answered 429 before any hash is computed, so a guessing run costs the server
nothing more. The per-address count (failures under any client id) is read only after the
secret was checked: a stranger sharing the client's address (a NAT, a load balancer) who
fails under other client ids cannot lock out a client presenting its right secret. The
counts are in the shared cache (issuer/shared_cache.py: Redis, else the database), so that
every worker and instance sees the same ones."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from .shared_cache import cache


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or X-Forwarded-For's entry when proxies are trusted.

    With TIMESHEETS_TRUSTED_PROXIES=N the last N entries of X-Forwarded-For were appended by
    our own proxies, so the N-th from the right is the address the outermost one saw; anything
    left of it may be forged by the caller. Zero (the default) never reads the header. Also
    the admin login's lockout (django-axes) counts by this address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TIMESHEETS_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _keys(request: HttpRequest, client_id: str) -> list[str]:
    address = client_address(request)
    client_digest = hashlib.sha256(f"{client_id}|{address}".encode()).hexdigest()
    address_digest = hashlib.sha256(address.encode()).hexdigest()
    return [f"issuer:auth-failures:client-at:{client_digest}", f"issuer:auth-failures:addr:{address_digest}"]


def is_client_locked_out(request: HttpRequest, client_id: str) -> bool:
    """Whether this client id failed too often from this address: then refused before any hash."""
    return (cache.get(_keys(request, client_id)[0]) or 0) >= settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT


def is_locked_out(request: HttpRequest, client_id: str) -> bool:
    counts = cache.get_many(_keys(request, client_id)).values()
    return any(count >= settings.OAUTH_CLIENT_AUTH_FAILURE_LIMIT for count in counts)


def record_failure(request: HttpRequest, client_id: str) -> None:
    for key in _keys(request, client_id):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=settings.OAUTH_CLIENT_AUTH_FAILURE_WINDOW)
