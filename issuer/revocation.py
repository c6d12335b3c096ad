"""Whether a token of an embedded-issuer client still stands, before it expires.

A JWT stays valid until it expires, so "disable" and "rotate the secret" would otherwise
leave a client's tokens working for up to their lifetime. The API asks this module on every
request: a token stands while its client exists, is active, and the token was issued no
earlier than the second the client's secret was last rotated (`iat` is whole seconds, so a
token issued in that very second, before the rotation, still stands: the window is under a
second). The answer is cached for OAUTH_CLIENT_STATUS_CACHE_SECONDS in the shared cache
(issuer/shared_cache.py), which every worker reads, and a change made through the model
(admin, commands, services) drops it at once, for every worker.
"""

from __future__ import annotations

import hashlib
from typing import TypedDict

from django.conf import settings

from .models import ApiClient
from .shared_cache import cache


class ClientStatus(TypedDict):
    active: bool
    rotated_at: int | None  # whole seconds since the epoch, floored


def _cache_key(client_id: str) -> str:
    # Hashed: a client id from a token is attacker-chosen text, not a safe cache key.
    return "issuer:client-status:" + hashlib.sha256(client_id.encode()).hexdigest()


def client_status(client_id: str) -> ClientStatus:
    key = _cache_key(client_id)
    status = cache.get(key)
    if status is None:
        row = (
            ApiClient.objects.filter(client_id=client_id)
            .values_list("is_active", "secret_rotated_at")
            .first()
        )
        rotated = row[1] if row is not None else None
        status = ClientStatus(
            active=row is not None and row[0], rotated_at=int(rotated.timestamp()) if rotated else None
        )
        cache.set(key, status, timeout=settings.OAUTH_CLIENT_STATUS_CACHE_SECONDS)
    return status


def token_stands(client_id: str, issued_at: object) -> bool:
    """Whether a token of this client issued at `iat` is good: client active, secret not rotated since."""
    status = client_status(client_id)
    if not status["active"]:
        return False
    rotated = status["rotated_at"]
    if rotated is None:
        return True
    return isinstance(issued_at, int | float) and not isinstance(issued_at, bool) and issued_at >= rotated


def forget_client_status(client_id: str) -> None:
    cache.delete(_cache_key(client_id))


def client_changed(*, instance: ApiClient, **kwargs: object) -> None:
    """post_save and post_delete: the admin's "active" box, a rotation and the commands act at once here."""
    forget_client_status(instance.client_id)
