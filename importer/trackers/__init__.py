"""Pulling time entries from the trackers' own APIs: `toggl:ID`, `clockify:ID`, `harvest:ID`.

Each pull yields the tool's entries shaped as rows of its detailed CSV export, so that
importer/timetrackers.py sums them into exactly the weekly entries and keys an export gives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..client import RetryPolicy
from ..config import ConfigurationError
from ..sources import SourceRow
from .base import Tracker, TrackerFailed, TrackerRefused
from .clockify import Clockify
from .harvest import Harvest
from .scopes import Scope, Scopes
from .toggl import Toggl
from .window import Window

__all__ = [
    "TRACKERS",
    "Scope",
    "Scopes",
    "TrackerRefused",
    "Window",
    "open_trackers",
    "pulled_rows",
    "tracker_kind",
]

logger = logging.getLogger(__name__)

TRACKERS: dict[str, type[Tracker]] = {"toggl": Toggl, "clockify": Clockify, "harvest": Harvest}


def tracker_kind(source: str) -> str | None:
    """ "toggl" for "toggl:123456", None for a file, "-" or a URL."""
    kind, colon, account = source.partition(":")
    return kind if colon and kind in TRACKERS and not account.startswith("//") else None


def open_trackers(sources: list[str], policy: RetryPolicy, *, progress: bool) -> list[Tracker]:
    """The sources' trackers, their credentials checked for presence before anything runs.

    Two accounts of one tool in one run would write the same keys (keys name no account):
    each account is imported by its own run, with its own API client (docs/trackers.md).
    """
    trackers: list[Tracker] = []
    for source in sources:
        kind = tracker_kind(source)
        if kind is None:
            continue
        if any(tracker.kind == kind for tracker in trackers):
            raise ConfigurationError(
                f"{source}: one {kind} account per run; import each account with its own API client."
            )
        trackers.append(TRACKERS[kind](source.partition(":")[2], policy, progress=progress))
    return trackers


def pulled_rows(tracker: Tracker, scopes: Scopes) -> Iterator[SourceRow]:
    """The tracker's entries as rows; a pull that fails marks the scope failed and ends the rows
    with one row for what it could not pull, which counts as failed (so a pull failing on its
    first page still makes the run exit 1)."""
    scope = scopes.by_prefix[f"{tracker.kind}:"]
    line = 0
    try:
        for data in tracker.entries(scopes.window):
            line += 1
            yield SourceRow(tracker.source, line, data)
    except TrackerFailed as exc:
        logger.error("%s; its entries count as failed and nothing is deleted for it", exc)
        scope.failure = str(exc)
        yield SourceRow(tracker.source, line + 1, None, error=f"The pull broke off here: {exc}")
    else:
        scope.persons |= tracker.people
        logger.info("%s: %d time entries in %d pages", tracker.source, line, tracker.pages)
    finally:
        tracker.close()
