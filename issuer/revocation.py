"""Whether an embedded-issuer client may still use the tokens it holds.

A JWT stays valid until it expires, so "disable" would otherwise mean "no new tokens" for up
to a token's lifetime. The API asks this module on every request; the answer is cached in
the shared cache (issuer/shared_cache.py) for OAUTH_CLIENT_STATUS_CACHE_SECONDS, which every
worker reads, and a change made through the model (admin, commands) drops it at once for all.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

from .models import ApiClient
from .shared_cache import cache


def _cache_key(client_id: str) -> str:
    # Hashed: a client id from a token is attacker-chosen text, not a safe cache key.
    return "issuer:client-active:" + hashlib.sha256(client_id.encode()).hexdigest()


def is_client_active(client_id: str) -> bool:
    key = _cache_key(client_id)
    active = cache.get(key)
    if active is None:
        active = ApiClient.objects.filter(client_id=client_id, is_active=True).exists()
        cache.set(key, active, timeout=settings.OAUTH_CLIENT_STATUS_CACHE_SECONDS)
    return active


def forget_client_status(client_id: str) -> None:
    cache.delete(_cache_key(client_id))


def client_changed(*, instance: ApiClient, **kwargs: object) -> None:
    """post_save and post_delete: the admin's "active" box and the commands act at once here."""
    forget_client_status(instance.client_id)
