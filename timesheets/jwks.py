"""The issuer's public keys, fetched over HTTP and cached per process.

PyJWT's PyJWKClient refetches on every unknown `kid` and drops its cache when a fetch
fails. Here an unknown `kid` refetches at most once per cooldown, so a flood of made-up
kids cannot make the API hammer the issuer, and the last good keys keep serving for a
bounded time while the issuer is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import jwt
import requests
from django.conf import settings

from common.oauth import issuer_metadata, metadata_url

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = (2.0, 3.0)  # connect, read
MAX_KEYS = 50


class KeyUnavailable(Exception):
    """No key with this kid can be had now; the token is refused, never answered with a 500."""


def discover_jwks_url(issuer: str, timeout: tuple[float, float] = FETCH_TIMEOUT) -> str:
    """jwks_uri from the issuer's metadata, else Auth0's path; an issuer that is down raises."""
    jwks_uri = metadata_url(issuer_metadata(issuer, timeout=timeout), "jwks_uri")
    return jwks_uri or issuer.rstrip("/") + "/.well-known/jwks.json"


def parse_key_set(data: object) -> dict[str | None, jwt.PyJWK]:
    """Signing keys by kid; keys for encryption or of unknown types are skipped, not fatal."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("not a JWK Set")
    keys: dict[str | None, jwt.PyJWK] = {}
    for entry in data["keys"][:MAX_KEYS]:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWTError, ValueError, TypeError):
            logger.warning("JWKS: skipping a key that cannot be used (kid=%r)", entry.get("kid"))
            continue
        keys[key.key_id] = key
    return keys


class JWKSCache:
    """One issuer's key set, shared by all threads of the process."""

    def __init__(self, issuer: str, jwks_url: str | None = None) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.clock: Callable[[], float] = time.monotonic
        self.fetch_count = 0
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._no_fetch_before = 0.0
        self._lock = threading.Lock()

    def get_key(self, kid: str | None) -> jwt.PyJWK:
        key = self._fresh_key(kid)
        if key is not None:
            return key
        with self._lock:
            # Another thread may have fetched while this one waited for the lock.
            key = self._fresh_key(kid)
            if key is None and self.clock() >= self._no_fetch_before:
                self._fetch(unknown_kid=self._age() < settings.OAUTH_JWKS_CACHE_SECONDS)
            key = self._usable_key(kid)
        if key is None:
            raise KeyUnavailable(f"no usable key for kid {kid!r} from {self.issuer}")
        return key

    def _age(self) -> float:
        return float("inf") if self._fetched_at is None else self.clock() - self._fetched_at

    def _fresh_key(self, kid: str | None) -> jwt.PyJWK | None:
        if self._age() >= settings.OAUTH_JWKS_CACHE_SECONDS:
            return None
        return self._lookup(kid)

    def _usable_key(self, kid: str | None) -> jwt.PyJWK | None:
        if self._age() >= settings.OAUTH_JWKS_MAX_STALE_SECONDS:
            return None
        return self._lookup(kid)

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    def _fetch(self, *, unknown_kid: bool) -> None:
        # After a refetch for an unknown kid, or a failed fetch, the next one waits for the
        # cooldown: that bounds the load a flood of made-up kids, or an issuer that is down,
        # puts on the issuer. A routine refresh leaves a new kid free to refetch at once.
        cooldown_end = self.clock() + settings.OAUTH_JWKS_REFETCH_COOLDOWN
        if unknown_kid:
            self._no_fetch_before = cooldown_end
        self.fetch_count += 1
        try:
            if self.jwks_url is None:
                self.jwks_url = discover_jwks_url(self.issuer)
            response = requests.get(self.jwks_url, timeout=FETCH_TIMEOUT)
            response.raise_for_status()
            keys = parse_key_set(response.json())
        except (requests.RequestException, ValueError) as exc:
            logger.warning("JWKS fetch from %s failed, keeping the last good keys: %s", self.issuer, exc)
            self._no_fetch_before = cooldown_end
            return
        self._keys = keys
        self._fetched_at = self.clock()
        logger.info("JWKS fetched from %s: %d keys", self.jwks_url, len(keys))


_caches: dict[tuple[str, str | None], JWKSCache] = {}
_caches_lock = threading.Lock()


def key_set_for(issuer: str, jwks_url: str | None = None) -> JWKSCache:
    with _caches_lock:
        cache = _caches.get((issuer, jwks_url))
        if cache is None:
            cache = _caches[(issuer, jwks_url)] = JWKSCache(issuer, jwks_url)
        return cache


def forget_key_sets() -> None:
    """Drops every cached key set (tests, and a settings change in a running process)."""
    with _caches_lock:
        _caches.clear()
