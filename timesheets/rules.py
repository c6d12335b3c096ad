"""What a caller may do with which entry: the rules of docs/people-and-apps.md, in one place.

A client's own token (the importer) may read every entry and write any, as before; it
changes through PATCH only the entries it created. A person's token, held by an app,
acts for that person: their own entries, and a manager reads and approves everyone's.

Two DRF mechanisms carry the rules, and every action of the entries' viewset uses both:
`entries_for` scopes the queryset (an entry outside it is a 404, so a token learns
nothing of it), and `EntryRules` refuses, with a reason, what a caller may not do (a
person reconciling). Creating is checked on the entry sent (`refusal_to_create`); nobody
approves their own entry, which the approve service refuses given `identity_of` the caller.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from people.lookup import PersonCard
from people.models import Role

from .authentication import TokenPrincipal
from .models import Timesheet

# Actions that change an entry: a person's own entries only, whatever their role.
CHANGES = frozenset({"partial_update", "destroy"})


def person_of(user: Any) -> PersonCard | None:
    """The person a request acts for, or None for a client's token and a staff session."""
    return user.person if isinstance(user, TokenPrincipal) else None


def identity_of(user: Any) -> tuple[str, str] | None:
    """The (user_type, user_id) the caller logs time as: a person's token, or a staff user who
    is also a person; None for a client's token and any other staff user."""
    if isinstance(user, TokenPrincipal):
        return (user.person.user_type, user.person.user_id) if user.person is not None else None
    try:
        person = user.person
    except (ObjectDoesNotExist, AttributeError):
        return None
    return person.user_type, person.user_id


def entries_for(user: Any, action: str | None, queryset: QuerySet[Timesheet]) -> QuerySet[Timesheet]:
    """The entries `action` may touch for this caller; every other one answers 404."""
    person = person_of(user)
    if person is not None:
        if person.role == Role.MANAGER and action not in CHANGES:
            return queryset
        return queryset.filter(user_type=person.user_type, user_id=person.user_id)
    if action == "partial_update" and isinstance(user, TokenPrincipal):
        # A client changes only what it wrote: an importer must not edit another's entries.
        return queryset.filter(created_by=user.identity)
    return queryset


def with_own_identity(user: Any, item: Any) -> Any:
    """An entry a person sends may leave out whose it is: it is theirs."""
    person = person_of(user)
    if person is None or not isinstance(item, dict):
        return item
    return {"user_type": person.user_type, "user_id": person.user_id, **item}


def refusal_to_create(user: Any, entry: dict[str, Any]) -> str | None:
    """Why this caller may not create this (valid) entry, or None: a person logs only their own time."""
    person = person_of(user)
    if person is None or (entry["user_type"], entry["user_id"]) == (person.user_type, person.user_id):
        return None
    return f"A person's token creates only their own entries ({person.user_type} {person.user_id})."


class EntryRules(BasePermission):
    """A person's token may not reconcile. (Nobody approves their own entry: the approve
    service refuses it, for every page and token, given `identity_of` the caller.)"""

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) == "reconcile" and person_of(request.user) is not None:
            raise PermissionDenied("A person's token may not reconcile a time tracker's entries.")
        return True
