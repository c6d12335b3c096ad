"""Query parameters an endpoint does not know, or that come twice, are a 400 naming them.

A misspelt or repeated flag must never be read as its default: `?dry-run=true` or
`?dry_run=true&dry_run=false` on the batch used to write for real (SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Collection

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# DRF's own `?format=`, which picks a renderer; known to every endpoint.
ALWAYS_KNOWN = frozenset({"format"})
FLAG_VALUES = {"true": True, "false": False}


def refuse_unknown_parameters(request: Request, known: Collection[str]) -> None:
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if name not in known and name not in ALWAYS_KNOWN:
            errors[name] = [f"Unknown query parameter; this endpoint knows {', '.join(sorted(known))}."]
        elif len(values) > 1:
            errors[name] = ["Given more than once."]
    if errors:
        raise ValidationError(errors)


def flag(request: Request, name: str) -> bool:
    """`?name=true` or `?name=false` (absent: false); any other value is a 400 naming it."""
    value = request.query_params.get(name, "false")
    if value not in FLAG_VALUES:
        raise ValidationError({name: ['Must be "true" or "false".']})
    return FLAG_VALUES[value]
