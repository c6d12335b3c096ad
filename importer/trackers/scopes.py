"""What a run learned about each tool's keys, so that it can tell the API what to delete.

A scope is one tool's keys in one run ("toggl:", say): the keys the sources still hold in the
window, the people they concern, and whether the run saw everything. Deletions happen only
for a scope whose every source was read to the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .window import Window


@dataclass
class Scope:
    prefix: str
    keys: set[str] = field(default_factory=set)  # kept: summed here, or refused for a known key
    persons: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    failure: str | None = None  # a pull that did not complete
    doubt: str | None = None  # a row whose key cannot be known

    def why_not(self) -> str | None:
        return self.failure or self.doubt


class Scopes:
    """One per run. `pulled` are the tracker sources; an export file's tool joins on its first row."""

    def __init__(self, window: Window, pulled: dict[str, str]) -> None:
        self.window = window
        self.pulled = pulled  # source: prefix
        self.by_prefix: dict[str, Scope] = {}
        self.broken_file: str | None = None  # a file that could not be read to its end
        self.known_people: set[str] = set()  # the --users map's people
        for source, prefix in pulled.items():
            self.join(prefix, source)

    def join(self, prefix: str, source: str) -> Scope:
        scope = self.by_prefix.setdefault(prefix, Scope(prefix))
        scope.sources.add(source)
        return scope

    def window_for(self, source: str) -> Window | None:
        """A pull is always windowed; a file only when --since or --until was given."""
        return self.window if source in self.pulled or self.window.explicit else None

    def deleting(self) -> list[Scope]:
        """The scopes whose sources are the whole truth for the window."""
        return [
            scope
            for scope in self.by_prefix.values()
            if self.window.explicit or all(source in self.pulled for source in scope.sources)
        ]

    def why_not(self, scope: Scope) -> str | None:
        if reason := scope.why_not():
            return reason
        if self.broken_file and any(source not in self.pulled for source in scope.sources):
            return f"{self.broken_file} could not be read to its end"
        return None
