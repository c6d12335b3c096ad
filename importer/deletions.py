"""What a run may ask the API to delete: per tool, the keys its sources still hold in the window.

Deletions are the API's to apply (importer/reconcile.py asks it): the request names every key
the run still has for a tool and window, and the API removes this client's other keys of that
tool and window (docs/trackers.md, "Deletions"). So the truth lives in the API, not on
the cron machine, and a wiped cache folder changes nothing.

`Deletions` is filled while the rows become items (importer/formats.py is its one writer), and
read once every source was read to its end: a tool is deleted for only when the run saw all
of it (no pull broke off, no file stopped early, no refused row of an unknown week or person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .sources import SourceRow
from .weekly import Added
from .window import Window


@dataclass
class ToolKeys:
    """One tool's keys in one run ("toggl:", say), and whether the run saw all of them."""

    prefix: str  # the tool with its colon, as the keys start
    keep: set[str] = field(default_factory=set)  # summed here, or refused for a known key
    persons: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    failure: str | None = None  # a pull that did not complete
    doubt: str | None = None  # a row whose key cannot be known

    def note(self, row: SourceRow, added: Added) -> None:
        """Keeps the key of a row, summed or refused (a refused row's time is still in the
        tracker); a refused row whose key cannot be known, other than one without a project
        (which never had a key), stops deletions."""
        if added.key is not None:
            self.keep.add(added.key)
            self.persons.add(added.who)
        elif added.errors and set(added.errors) - {"project"}:
            self.doubt = f"{row.source}, line {row.line}: a refused row whose week or person is unknown"


@dataclass(frozen=True)
class DeletionRequest:
    """One POST /timesheets/reconcile, or why it is not sent (`blocked`)."""

    prefix: str
    sources: str  # the tool's sources, as the report names them
    since: str
    until: str
    keep: list[str]
    persons: list[str]
    blocked: str | None

    def body(self, *, dry_run: bool) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "since": self.since,
            "until": self.until,
            "keep": self.keep,
            "persons": self.persons,
            "dry_run": dry_run,
        }


class Deletions:
    """One per run. `pulled` are the tracker sources (source: prefix); a file's tool joins on its
    first row of that tool's layout."""

    def __init__(self, window: Window, pulled: Mapping[str, str]) -> None:
        self.window = window
        self.pulled = dict(pulled)
        self.tools: dict[str, ToolKeys] = {}
        self.broken_file: str | None = None  # a file that could not be read to its end
        self.known_people: set[str] = set()  # the --users map's people
        for source, prefix in self.pulled.items():
            self.saw(prefix, source)

    def saw(self, prefix: str, source: str) -> ToolKeys:
        """The tool's keys, `source` now among its sources."""
        keys = self.tools.get(prefix)
        if keys is None:
            keys = self.tools[prefix] = ToolKeys(prefix)
        keys.sources.add(source)
        return keys

    def window_for(self, source: str) -> Window | None:
        """A pull is always windowed; a file only when --since or --until was given."""
        return self.window if source in self.pulled or self.window.explicit else None

    def know_people(self, people: Iterable[str]) -> None:
        self.known_people.update(people)

    def pull_failed(self, source: str, reason: str) -> None:
        self.tools[self.pulled[source]].failure = reason

    def file_broke(self, source: str) -> None:
        self.broken_file = source

    def failure_of(self, key: str) -> str | None:
        """Why the weekly entry keyed `key` is not sent: its tool's pull broke off."""
        keys = self.tools.get(key.partition(":")[0] + ":")
        return keys.failure if keys is not None else None

    def requests(self, pulled_people: Mapping[str, Iterable[str]]) -> list[DeletionRequest]:
        """A request per tool whose sources are the whole truth for the window; `pulled_people`
        are everyone each pulled account knows (their time may all be gone)."""
        requests = []
        for keys in self.tools.values():
            if not (self.window.explicit or all(source in self.pulled for source in keys.sources)):
                continue
            persons = keys.persons | self.known_people
            for source in keys.sources & pulled_people.keys():
                persons |= set(pulled_people[source])
            requests.append(
                DeletionRequest(
                    prefix=keys.prefix,
                    sources=", ".join(sorted(keys.sources)),
                    since=self.window.first_week,
                    until=self.window.last_week,
                    keep=sorted(keys.keep),
                    persons=sorted(persons),
                    blocked=self._blocked(keys),
                )
            )
        return requests

    def _blocked(self, keys: ToolKeys) -> str | None:
        if reason := keys.failure or keys.doubt:
            return reason
        if self.broken_file and any(source not in self.pulled for source in keys.sources):
            return f"{self.broken_file} could not be read to its end"
        return None
