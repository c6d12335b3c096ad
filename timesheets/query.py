"""Query parameters: the one place that refuses unknown or repeated ones and reads a boolean.

A misspelt or repeated parameter must never be read as its default, nor an odd boolean as
"no filter": `?dry-run=true` or `?dry_run=true&dry_run=false` on the batch used to write for
real, and `?approved=1` once widened a payroll export to pending entries (SECURITY.md,
docs/payroll.md). The batch, the list, the cursor walk and the export all go through here.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# DRF's own `?format=`, which picks a renderer; known to every endpoint.
ALWAYS_KNOWN = frozenset({"format"})
# `true` and `false`, in any case (`True` is what Python's str() sends). `1`, `0`, `yes`,
# `on` are refused rather than guessed: a guess that reads "no filter" widens an export.
FLAG_VALUES = {"true": True, "false": False}
FLAG_ERROR = 'Must be "true" or "false".'


def refuse_unknown_parameters(request: Request, known: Collection[str]) -> None:
    """A 400 naming each parameter nothing reads (with the closest known one) or given twice."""
    known = frozenset(known) | ALWAYS_KNOWN
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if name not in known:
            errors[name] = [unknown_parameter_message(name, known)]
        elif len(values) > 1:
            errors[name] = ["Given more than once; send it once."]
    if errors:
        raise ValidationError(errors)


def unknown_parameter_message(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else f"; known: {', '.join(sorted(known))}."
    return f"unknown query parameter `{name}`{hint}"


def flag_value(value: str) -> bool:
    """`true` or `false` in any case; anything else raises ValueError (FLAG_ERROR says why)."""
    try:
        return FLAG_VALUES[value.lower()]
    except KeyError:
        raise ValueError(FLAG_ERROR) from None


def flag(request: Request, name: str) -> bool:
    """`?name=true` or `?name=false` (absent: false); any other value is a 400 naming it."""
    try:
        return flag_value(request.query_params.get(name, "false"))
    except ValueError:
        raise ValidationError({name: [FLAG_ERROR]}) from None
