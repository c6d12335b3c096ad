"""The external_id keys the importer writes and the API reads back (docs/importer.md).

A native row without a key of its own gets `user_type:user_id:year-Wweek:project`; a time
tracker's weekly entry gets `tool:person:YYYY-Www:project`. The API's reconcile finds the
person in a tracker key, so the way a key is built and the way it is read live side by side.
"""

from __future__ import annotations

import re

from .names import normalized_person
from .weeks import PATTERN, week_text

# The week inside a tracker key; the person is what comes before it.
_KEY_WEEK = re.compile(f":{PATTERN}:")


def native_key(user_type: object, user_id: object, year: int, week: int, project: object) -> str:
    """Stripped as the API strips the fields, so " 007" and "007" are one key, as they are one entry."""
    return f"{str(user_type).strip()}:{str(user_id).strip()}:{week_text(year, week)}:{str(project).strip()}"


def tracker_key(tool: str, person: str, year: int, week: int, project: str) -> str:
    return f"{tool}:{person}:{week_text(year, week)}:{project}"


def tracker_key_person(key: str, prefix: str) -> str | None:
    """The person a tracker key names (`prefix` is the tool with its colon), normalized as the
    --users map compares people; None when the key holds no week."""
    match = _KEY_WEEK.search(key, len(prefix))
    if match is None:
        return None
    return normalized_person(key[len(prefix) : match.start()])
