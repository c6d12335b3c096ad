"""How a person's name or email is compared: the importer's --users map and the API's
reconcile (its `persons`) must agree on who is who, so both use this one rule."""

from __future__ import annotations


def normalized_person(text: str) -> str:
    """Runs of spaces made one, and case folded: " Ada  LOVELACE" is "ada lovelace"."""
    return " ".join(text.split()).casefold()
