"""Checking client secrets at /oauth/token without handing anyone the server's CPU.

Each part answers some of SECURITY.md's "wrong-secret flood" (it took the API down):

- `address_slot`: at most MAX_CHECKS_PER_ADDRESS token requests from one address are
  checked at once in this process; the excess is answered 429 at once, before any hash.
- `check`: the toolkit's secret check, with a bound on slow ones. A secret under the current
  hasher (issuer/hashers.py) costs microseconds and is checked at once; one still stored
  with an older, slow hasher (PBKDF2, about 300 ms) waits for one of MAX_SLOW_CHECKS slots
  for at most SLOT_WAIT_SECONDS, else the request is answered 503. A flood then queues on
  the attacker's side, and clients under the current hasher never wait behind it.
- `check_unknown_client`: an unknown or disabled client id costs one check against a dummy
  hash of the current hasher, as a wrong secret does, so timing does not tell which ids exist.
- `upgrade_hash`: a secret stored with an older hasher is rehashed with CLIENT_SECRET_HASHER
  on its first right use, as Django does for passwords.
- `is_public_client`: a public app (the web page, a phone) has no secret, so nothing above
  protects it, and its callers share office NATs: the view skips the lockout and the slot
  for it (PKCE and single-use codes protect its grant) and refuses a secret sent for it.

The bounds are per process (a gunicorn worker), where the CPU is spent.
"""

from __future__ import annotations

import base64
import binascii
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.utils.crypto import constant_time_compare
from oauth2_provider.settings import oauth2_settings

from .models import ApiClient

MAX_CHECKS_PER_ADDRESS = 2
# Slow checks at once in one process: two, one a core, so the rest of the API keeps its CPU.
MAX_SLOW_CHECKS = 2
# How long a request waits for a slow-check slot before it is answered 503.
SLOT_WAIT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 1

_slow_slots = threading.BoundedSemaphore(MAX_SLOW_CHECKS)
_by_address: Counter[str] = Counter()
_by_address_lock = threading.Lock()


class Busy(Exception):
    """Too many secret checks at once: answered with `status` and Retry-After, no hash run."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@contextmanager
def address_slot(address: str) -> Iterator[None]:
    """One of this address's slots for a token request, or Busy (429) at once."""
    with _by_address_lock:
        if _by_address[address] >= MAX_CHECKS_PER_ADDRESS:
            raise Busy(429, "Too many token requests at once from this address.")
        _by_address[address] += 1
    try:
        yield
    finally:
        with _by_address_lock:
            _by_address[address] -= 1
            if _by_address[address] <= 0:
                del _by_address[address]


def is_public_client(client_id: str) -> bool:
    """Whether client_id names a public client: one indexed lookup, before any lockout or slot.

    A lockout or a slot for a public client protects no secret and lets anyone behind the
    same NAT lock the app out for everyone there; so its requests get neither.
    """
    if not client_id or any(unicodedata.category(char) == "Cc" for char in client_id):
        return False  # a control character never reaches the database (PostgreSQL refuses NUL)
    return ApiClient.objects.filter(client_id=client_id, client_type=ApiClient.CLIENT_PUBLIC).exists()


def check(presented: str, stored: str) -> bool:
    """Whether the presented secret is the stored one; slow hashers wait for a slot (else Busy, 503)."""
    try:
        algorithm = identify_hasher(stored).algorithm
    except ValueError:  # stored in clear (hash_client_secret off), as the toolkit allows
        return constant_time_compare(presented, stored)
    if algorithm == oauth2_settings.CLIENT_SECRET_HASHER:
        return check_password(presented, stored)
    if not _slow_slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise Busy(503, "The token endpoint is busy; retry shortly.")
    try:
        return check_password(presented, stored)
    finally:
        _slow_slots.release()


@cache
def _dummy_hash(algorithm: str) -> str:
    return make_password("not a client secret", hasher=algorithm)


def check_unknown_client(presented: str) -> None:
    """The work a wrong secret costs, for a client id that matched no usable client."""
    check_password(presented, _dummy_hash(oauth2_settings.CLIENT_SECRET_HASHER))


def upgrade_hash(client: Any, presented: str) -> None:
    """Rehashes a right secret stored with an older hasher, as Django does for passwords."""
    preferred = oauth2_settings.CLIENT_SECRET_HASHER
    try:
        current = identify_hasher(client.client_secret).algorithm
    except ValueError:
        return  # stored in clear (hash_client_secret off): left as its owner chose
    if preferred == "default" or current == preferred:
        return
    client.client_secret = make_password(presented, hasher=preferred)
    # Only the hash: neither `updated` nor the signals' idea of a change (this is no rotation).
    type(client).objects.filter(pk=client.pk).update(client_secret=client.client_secret)


def presented_secret(basic_auth: str | None, request: Any) -> str:
    """The secret an oauthlib request presents, by HTTP Basic (decoded as the toolkit does) or body."""
    if basic_auth:
        try:
            decoded = base64.b64decode(basic_auth).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        _, separator, secret = decoded.partition(":")
        return unquote_plus(secret) if separator else ""
    return getattr(request, "client_secret", None) or ""
