"""Which person a token speaks for, asked on every request that carries a person's token.

A JWT stays valid until it expires, so a person switched off in the admin would otherwise
keep working for a token's lifetime. The answer is kept in Django's cache (Redis when
REDIS_URL is set) for OAUTH_PERSON_STATUS_CACHE_SECONDS, as issuer/revocation.py keeps a
client's: one indexed query per person every few seconds, and a switched-off person is
refused within that time; at once when the change goes through the model (the admin, the
commands), which drops the cached answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

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
    key = _cache_key(field, str(value))
    cached = cache.get(key)
    if cached is None:
        found = list(
            Person.objects.filter(**{field: value}, account__is_active=True).select_related("account")[:2]
        )
        cached = PersonCard.of(found[0]) if len(found) == 1 else _NOBODY
        cache.set(key, cached, timeout=settings.OAUTH_PERSON_STATUS_CACHE_SECONDS)
    return cached if isinstance(cached, PersonCard) else None


def _cache_key(field: str, value: str) -> str:
    # Hashed: a claim is text the token's issuer chose, not a safe cache key.
    return f"people:active:{field}:" + hashlib.sha256(value.encode()).hexdigest()


def forget_person(person: Person) -> None:
    cache.delete_many([_cache_key("subject", person.subject), _cache_key("user_id", person.user_id)])


def person_changed(*, instance: Person, **kwargs: object) -> None:
    """post_save and post_delete of a person: a new role or identity counts at once."""
    forget_person(instance)


def account_changed(*, instance: Any, update_fields: Collection[str] | None = None, **kwargs: object) -> None:
    """post_save of a user: the admin's "active" box counts at once.

    A sign-in saves the user too, for `last_login` alone: that changes nothing here, and
    costs no query.
    """
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    for person in Person.objects.filter(account_id=instance.pk):
        forget_person(person)
