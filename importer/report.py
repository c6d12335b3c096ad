"""What an import tells its operator: the summary, refused rows with reasons, a progress bar."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import IO, Any

from tqdm import tqdm

from .formats import Item


@dataclass
class Summary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # entries removed because their time is gone from a tracker
    conflicts: int = 0
    rejected: int = 0
    failed: int = 0

    def line(self) -> str:
        return " ".join(f"{name}={count}" for name, count in asdict(self).items())

    def as_json(self) -> str:
        return json.dumps(asdict(self))

    @property
    def exit_code(self) -> int:
        """0 when every row was created, updated or unchanged; 1 when any was not."""
        return 1 if self.conflicts or self.rejected or self.failed else 0


class Report:
    """Counts outcomes and writes each refused row as one JSON line: nothing is dropped silently."""

    COUNTERS = {
        "created": "created",
        "updated": "updated",
        "unchanged": "unchanged",
        "conflict": "conflicts",
        "invalid": "rejected",
        "failed": "failed",
    }

    def __init__(self, rejects: IO[str], *, progress: bool) -> None:
        self.summary = Summary()
        self.rejects = rejects
        # disable=None: tqdm shows the bar only when standard error is a terminal.
        self.progress = tqdm(
            unit=" rows", disable=True if not progress else None, file=sys.stderr, leave=False
        )

    def read(self, count: int) -> None:
        self.summary.read += count
        self.progress.update(count)

    def outcome(self, item: Item, status: str, errors: dict[str, Any] | None = None) -> None:
        counter = self.COUNTERS[status]
        setattr(self.summary, counter, getattr(self.summary, counter) + 1)
        if status in ("invalid", "conflict", "failed"):
            record = {
                "source": item.row.source,
                "line": item.row.line,
                "row": item.row.data,
                "external_id": item.external_id,
                "status": status,
                "errors": errors or {},
            }
            self.rejects.write(json.dumps(record, default=str) + "\n")

    def close(self) -> None:
        self.progress.close()
        self.rejects.flush()
