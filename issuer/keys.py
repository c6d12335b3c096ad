"""The embedded issuer's signing keys: made after migrate or on first use, rotated by command, published."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import conf, crypto
from .models import SigningKey

ALGORITHM = "RS256"
# The API looks a kid up at most this often; rotation adds kids, it never changes one.
PUBLIC_KEY_CACHE_SECONDS = 300

_public_keys: dict[str, tuple[float, jwt.PyJWK]] = {}
_public_keys_lock = threading.Lock()


def new_private_key_pem() -> str:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _new_key(using: str = DEFAULT_DB_ALIAS) -> SigningKey:
    return SigningKey.objects.using(using).create(
        kid=secrets.token_urlsafe(16), private_key_sealed=crypto.seal(new_private_key_pem())
    )


def current_signing_key(using: str = DEFAULT_DB_ALIAS) -> SigningKey:
    key = SigningKey.objects.using(using).filter(retired_at__isnull=True).first()
    return key if key is not None else _new_key(using)


@transaction.atomic
def rotate_signing_key() -> SigningKey:
    """A new key signs from now on; the old ones stay published until their tokens have expired.

    Every stored key is also resealed under the first key-encryption key, so that rotating
    TIMESHEETS_KEY_ENCRYPTION_KEY is: put the new key first, rotate, then drop the old one.
    """
    for key in SigningKey.objects.select_for_update():
        key.private_key_sealed = crypto.reseal(key.private_key_sealed)
        key.save(update_fields=["private_key_sealed"])
    SigningKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    return _new_key()


def _published() -> QuerySet[SigningKey]:
    horizon = timezone.now() - timedelta(seconds=conf.longest_token_lifetime() + settings.OAUTH_LEEWAY)
    return SigningKey.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gt=horizon))


def published_keys() -> list[SigningKey]:
    return list(_published())


def public_jwk(key: SigningKey) -> dict:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.private_key.public_key(), as_dict=True)
    return {**jwk, "kid": key.kid, "use": "sig", "alg": ALGORITHM}


def jwks() -> dict:
    current_signing_key()  # never an empty set, even on a database flushed since migrate
    return {"keys": [public_jwk(key) for key in published_keys()]}


def public_key(kid: str) -> jwt.PyJWK | None:
    """The published key with this kid, for the API to verify our own tokens in-process.

    Only keys that exist are cached, so made-up kids cannot grow the cache; each costs one
    indexed query instead.
    """
    now = time.monotonic()
    cached = _public_keys.get(kid)
    if cached is not None and now - cached[0] < PUBLIC_KEY_CACHE_SECONDS:
        return cached[1]
    key = _published().filter(kid=kid).first()
    if key is None:
        return None
    found = jwt.PyJWK(public_jwk(key))
    with _public_keys_lock:
        _public_keys[kid] = (now, found)
    return found


def forget_public_keys() -> None:
    with _public_keys_lock:
        _public_keys.clear()
