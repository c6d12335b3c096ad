"""Signing keys the configured key-encryption key cannot open: a refusal to start, never a 500.

The keys are sealed under TIMESHEETS_KEY_ENCRYPTION_KEY, or, without it, under a key derived
from DJANGO_SECRET_KEY. Change either without the other and every key still opens nowhere:
token requests and the JWKS answered 500 with a cryptography.fernet.InvalidToken traceback
(SECURITY.md). The WSGI and ASGI modules call `refuse_unopenable_signing_keys` once
the app is loaded, so gunicorn and runserver stop at start with one line naming the setting
to restore; should it happen while serving anyway, the token endpoint answers 503.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from . import conf, crypto

logger = logging.getLogger(__name__)


class SealedKeysUnopenable(ImproperlyConfigured):
    pass


def restore_hint() -> str:
    if crypto.uses_development_key():
        return (
            "The embedded issuer's signing keys were sealed under another key: restore the "
            "DJANGO_SECRET_KEY they were sealed with (without TIMESHEETS_KEY_ENCRYPTION_KEY the seal is "
            "derived from it), or set TIMESHEETS_KEY_ENCRYPTION_KEY to the key that sealed them."
        )
    return (
        "The embedded issuer's signing keys were sealed under another key: restore the "
        "TIMESHEETS_KEY_ENCRYPTION_KEY (or _FILE) they were sealed with, or list it after the new one."
    )


def unopenable_kids() -> list[str]:
    """The published signing keys (those that sign or verify) that no configured key opens."""
    from .keys import _published  # the keys in use: current, and retired ones whose tokens live

    unopenable = []
    for kid, sealed in _published().values_list("kid", "private_key_sealed"):
        try:
            crypto.open_sealed(sealed)
        except crypto.InvalidToken:
            unopenable.append(kid)
    return unopenable


def refuse_unopenable_signing_keys() -> None:
    """Raises SealedKeysUnopenable, one line, when a signing key in use cannot be opened.

    Skipped when the database cannot be read (not migrated yet, or not answering: /healthz
    reports that) or another issuer is configured.
    """
    if not conf.is_embedded():
        return
    try:
        unopenable = unopenable_kids()
    except DatabaseError:
        return
    finally:
        connections.close_all()  # no connection opened at start outlives it
    if unopenable:
        raise SealedKeysUnopenable(restore_hint())
