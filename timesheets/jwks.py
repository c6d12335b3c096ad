"""Where the API finds the key for a token's `kid`: chosen once per configuration.

With the embedded issuer the keys are read in-process from its own tables (an HTTP call
to ourselves would deadlock a single-worker server). With an outside issuer they come from
its JWKS over HTTP, cached per process by `JWKSCache`.

Why not PyJWT's PyJWKClient: the one installed here (2.15) refetches at most once per
cooldown and keeps its cache when a fetch fails, but it neither discovers `jwks_uri` from
the issuer's metadata nor serves keys past its cache lifespan while the issuer is down, and
2.12 and earlier lack the cooldown too. Adding those means overriding its fetch and its
expiry, most of this small class, so the cache here owns the three rules itself: a bounded
refetch rate for unknown `kid`s, discovery, and the last good keys served for
OAUTH_JWKS_MAX_STALE_SECONDS. What it needs of PyJWT is `jwt.decode` taking a PyJWK and
verifying with the key's own algorithm (2.9 and later; requirements.txt asks for 2.10).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable

import jwt
import requests
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from common.oauth import issuer_metadata, metadata_url
from issuer import conf as issuer_conf
from issuer import keys as issuer_keys

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
    key_source.cache_clear()


class EmbeddedKeys:
    """The embedded issuer's published keys, looked up in-process (see `issuer.keys.public_key`)."""

    def get_key(self, kid: str | None) -> jwt.PyJWK:
        key = issuer_keys.public_key(kid) if kid is not None else None
        if key is None:
            raise KeyUnavailable(f"no published key with kid {kid!r}")
        return key


@functools.cache
def key_source() -> EmbeddedKeys | JWKSCache:
    """The one place that decides between in-process keys and a JWKS over HTTP."""
    if issuer_conf.is_embedded():
        return EmbeddedKeys()
    return key_set_for(issuer_conf.outside_issuer_url(), settings.OAUTH_JWKS_URL)


def get_key(kid: str | None) -> jwt.PyJWK:
    """The key that verifies tokens with this kid, or KeyUnavailable."""
    return key_source().get_key(kid)


@receiver(setting_changed)
def _configuration_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {"OAUTH_ISSUER", "OAUTH_JWKS_URL", "TIMESHEETS_PUBLIC_URL"}:
        key_source.cache_clear()
