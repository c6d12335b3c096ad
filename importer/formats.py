"""Turns source rows into API entries, for each export format the importer reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .sources import SourceRow

FORMATS = ("auto", "native")


@dataclass(frozen=True)
class Item:
    """One entry for the API, or the reason a row cannot become one."""

    row: SourceRow
    entry: dict[str, Any] | None
    errors: dict[str, list[str]] | None = None

    @property
    def external_id(self) -> str | None:
        return self.entry.get("external_id") if self.entry else None


def native_key(entry: dict[str, Any]) -> str | None:
    """`user_type:user_id:year-Wweek:project`: the key of a row that brings none of its own."""
    try:
        user_type, user_id, year, project = (
            entry[name] for name in ("user_type", "user_id", "year", "project")
        )
        week = int(entry["week"])
    except (KeyError, TypeError, ValueError):
        return None  # the API will say which field is wrong
    return f"{user_type}:{user_id}:{year}-W{week:02d}:{str(project).strip()}"


def native_items(rows: Iterable[SourceRow]) -> Iterator[Item]:
    for row in rows:
        if row.error:
            yield Item(row, None, {"non_field_errors": [row.error]})
        elif not isinstance(row.data, dict):
            yield Item(row, None, {"non_field_errors": ["Expected an object with the entry's fields."]})
        elif None in row.data:
            yield Item(row, None, {"non_field_errors": ["The row has more fields than the header."]})
        else:
            entry = dict(row.data)
            if not entry.get("external_id"):
                entry.pop("external_id", None)
                key = native_key(entry)
                if key is not None:
                    entry["external_id"] = key
            yield Item(row, entry)


def items_for(rows: Iterable[SourceRow], fmt: str) -> Iterator[Item]:
    return native_items(rows)
