"""The signing keys' seal at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key-encryption key.

A database backup alone then cannot mint tokens: it also takes TIMESHEETS_KEY_ENCRYPTION_KEY
(or the file TIMESHEETS_KEY_ENCRYPTION_KEY_FILE names), which lives outside the database.
Several keys, comma separated, let the key-encryption key be rotated: the first seals, every
one opens, and `rotate_signing_key` reseals every stored key under the first.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "check_configured", "open_sealed", "reseal", "seal", "uses_development_key"]


def uses_development_key() -> bool:
    return not settings.TIMESHEETS_KEY_ENCRYPTION_KEYS


def _development_key() -> bytes:
    # Local use only (warned by issuer.W001): derived from DJANGO_SECRET_KEY, so it is as
    # public as the development secret key is.
    digest = hashlib.sha256(b"timesheets signing-key seal|" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    keys: list[str | bytes] = [*settings.TIMESHEETS_KEY_ENCRYPTION_KEYS] or [_development_key()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "TIMESHEETS_KEY_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), comma separated"
        ) from None


def seal(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def open_sealed(sealed: str) -> str:
    """The plaintext, or InvalidToken when none of the configured keys sealed it."""
    return _fernet().decrypt(sealed.encode()).decode()


def reseal(sealed: str) -> str:
    """Sealed again under the first key (MultiFernet.rotate)."""
    return _fernet().rotate(sealed.encode()).decode()


def check_configured() -> None:
    """Refuses the development seal on a public host, as settings refuse the development secret key."""
    if uses_development_key() and settings.SERVES_PUBLIC_HOSTS:
        raise ImproperlyConfigured(
            "TIMESHEETS_KEY_ENCRYPTION_KEY (or _FILE) is required for the embedded issuer when "
            "DJANGO_ALLOWED_HOSTS names a non-local host"
        )
    _fernet()
