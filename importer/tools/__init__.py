"""The time trackers the importer knows: Toggl Track, Clockify and Harvest, one module each.

Each module holds what that tool is to the importer: its detailed export's `LAYOUT` (the columns
a weekly entry needs) and its API pull (`toggl:ID`, `clockify:ID`, `harvest:ID`), which yields
rows shaped as that export, so that a file and a pull sum into the same weekly entries with the
same keys. What every pull shares is in base.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client import RetryPolicy
from ..config import ConfigurationError
from ..layouts import Layout, header_of
from .base import BROKE_OFF, Tracker, TrackerRefused, pull_rows
from .clockify import Clockify
from .harvest import Harvest
from .toggl import Toggl

__all__ = [
    "BROKE_OFF",
    "LAYOUTS",
    "TRACKERS",
    "TrackerRefused",
    "detect_tool",
    "open_trackers",
    "pull_rows",
    "tracker_kind",
]

# In the order an export's header is matched against them.
TRACKERS: dict[str, type[Tracker]] = {"toggl": Toggl, "clockify": Clockify, "harvest": Harvest}
LAYOUTS: dict[str, Layout] = {kind: tracker.layout for kind, tracker in TRACKERS.items()}


def tracker_kind(source: str) -> str | None:
    """ "toggl" for "toggl:123456", None for a file, "-" or a URL."""
    kind, colon, account = source.partition(":")
    return kind if colon and kind in TRACKERS and not account.startswith("//") else None


def detect_tool(data: Mapping[Any, Any]) -> Layout | None:
    """The tool whose export's characteristic columns the row has, if any."""
    header = header_of(data)
    return next((layout for layout in LAYOUTS.values() if not layout.missing(header)), None)


def open_trackers(sources: list[str], policy: RetryPolicy, *, progress: bool) -> list[Tracker]:
    """The sources' trackers, their credentials checked for presence before anything runs.

    Two accounts of one tool in one run would write the same keys (keys name no account):
    each account is imported by its own run, with its own API client (docs/trackers.md,
    "One API client per tracker account").
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
