"""Which person a token speaks for, asked on every request that carries a person's token.

A JWT stays valid until it expires, so a person switched off in the admin would otherwise
keep working for a token's lifetime. The answer is kept in Django's cache (Redis when
REDIS_URL is set) for OAUTH_PERSON_STATUS_CACHE_SECONDS, as issuer/revocation.py keeps a
client's: one indexed query per person every few seconds, and a switched-off person is
refused within that time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .models import Person

# Cached for a person the token names but nobody is: unknown, or switched off.
_NOBODY = "nobody"


@dataclass(frozen=True)
class PersonCard:
    """What the API needs of a person, small enough to cache: never the model instance."""

    subject: str
    username: str
    name: str
    email: str
    user_type: str
    user_id: str
    role: str

    @classmethod
    def of(cls, person: Person) -> PersonCard:
        account = person.account
        return cls(
            subject=person.subject,
            username=account.get_username(),
            name=person.name,
            email=account.email,
            user_type=person.user_type,
            user_id=person.user_id,
            role=person.role,
        )


def active_person(*, subject: str | None = None, user_id: str | None = None) -> PersonCard | None:
    """The active person with this subject, or with this user_id (OAUTH_PERSON_CLAIM); else None.

    A user_id names a person only when exactly one active person holds it: the same id
    under both user types names nobody rather than either.
    """
    if (subject is None) == (user_id is None):
        raise TypeError("give a subject or a user_id")
    field, value = ("subject", subject) if subject is not None else ("user_id", user_id)
    # Hashed: a claim is text the token's issuer chose, not a safe cache key.
    key = f"people:active:{field}:" + hashlib.sha256(str(value).encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        found = list(
            Person.objects.filter(**{field: value}, account__is_active=True).select_related("account")[:2]
        )
        cached = PersonCard.of(found[0]) if len(found) == 1 else _NOBODY
        cache.set(key, cached, timeout=settings.OAUTH_PERSON_STATUS_CACHE_SECONDS)
    return cached if isinstance(cached, PersonCard) else None
