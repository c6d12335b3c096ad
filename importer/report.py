"""What an import tells its operator: the summary, refused rows with reasons, a progress bar."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from typing import IO, Any

from tqdm import tqdm

from .items import Item

TABLE_ROWS = 10
REFUSED = frozenset({"invalid", "conflict", "failed"})


@dataclass
class Summary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # entries removed because their time is gone from a time tracker
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
        return self.exit_status("rejected")

    def exit_status(self, fail_on: str) -> int:
        """--fail-on: `rejected` (any row not imported is a failed run), or `failed` (only rows
        that could not be sent are: rows the API refused are the sources' to fix, and are
        reported either way)."""
        if fail_on == "failed":
            return 1 if self.failed else 0
        return 1 if self.conflicts or self.rejected or self.failed else 0


class Report:
    """Counts each row's outcome and keeps each refused row, with its reasons.

    Refused rows go to `rejects` (the --rejects file) as JSON lines. Without it, invalid and
    conflicting rows go to standard error in the same form, while rows that failed because
    the API or the issuer could not be reached are only counted: an outage is logged once per
    batch, not once per row. At the end, standard error shows the first refused rows as a
    table, and where the rest went.
    """

    COUNTERS = {
        "created": "created",
        "updated": "updated",
        "unchanged": "unchanged",
        "deleted": "deleted",
        "conflict": "conflicts",
        "invalid": "rejected",
        "failed": "failed",
    }

    def __init__(self, stderr: IO[str] = sys.stderr, *, progress: bool) -> None:
        self.summary = Summary()
        self.stderr = stderr
        self.rejects: IO[str] | None = None  # the --rejects file, once the run holds its lock
        self.rejects_name: str | None = None
        # (where, status, field, message, how many rows alike): failed rows with the same reason
        # (the API down) are one line of the table, not one per row.
        self.first_refused: list[list[Any]] = []
        self.refused = 0
        # disable=None: tqdm shows the bar only when standard error is a terminal.
        self.progress = tqdm(unit=" rows", disable=True if not progress else None, file=stderr, leave=False)

    def read(self, count: int) -> None:
        self.summary.read += count
        self.progress.update(count)

    def outcome(self, item: Item, status: str, errors: dict[str, Any] | None = None) -> None:
        counter = self.COUNTERS[status]
        setattr(self.summary, counter, getattr(self.summary, counter) + item.rows)
        if status in REFUSED:
            row = item.row
            self._refused(row.source, row.line, row.data, item.external_id, status, errors, item.rows)

    def answered(
        self, source: str, key: str | None, status: str, errors: dict[str, Any] | None = None
    ) -> None:
        """An entry the API answered for that no source row stands for (a deletion), or the
        request that failed: one more row of the run, read from the API, so that read = created +
        updated + unchanged + deleted + conflicts + rejected + failed holds with deletions too."""
        self.read(1)
        counter = self.COUNTERS[status]
        setattr(self.summary, counter, getattr(self.summary, counter) + 1)
        if status in REFUSED:
            self._refused(source, 0, {"external_id": key}, key, status, errors, 1)

    def _refused(
        self,
        source: str,
        line: int,
        data: Any,
        key: str | None,
        status: str,
        errors: dict[str, Any] | None,
        rows: int,
    ) -> None:
        self.refused += rows
        errors = errors or {}
        field, message = _first_error(errors)
        last = self.first_refused[-1] if self.first_refused else None
        if status == "failed" and last is not None and last[1:4] == [status, field, message]:
            last[4] += rows
        elif len(self.first_refused) < TABLE_ROWS:
            self.first_refused.append([f"{source}:{line}", status, field, message, rows])
        if self.rejects is None and status == "failed":
            return
        record = {
            "source": source,
            "line": line,
            "row": data,
            "external_id": key,
            "status": status,
            "errors": errors,
        }
        (self.rejects or self.stderr).write(json.dumps(record, default=str) + "\n")

    def reasons(self, limit: int = 5) -> list[str]:
        """The first refused rows, one line each, for the heartbeat's ping."""
        return [
            f"{where}{'' if alike == 1 else f' and {alike - 1:,} more'} {status} {field}: {message}"
            for where, status, field, message, alike in self.first_refused[:limit]
        ]

    def close(self) -> None:
        self.progress.close()
        if self.first_refused:
            self._table()

    def _table(self) -> None:
        write = self.stderr.write
        shown = sum(entry[4] for entry in self.first_refused)
        write(
            f"Refused rows (the first {shown} of {self.refused}):\n"
            if self.refused > shown
            else "Refused rows:\n"
        )
        table = [("line", "status", "field", "message")] + [
            (where if alike == 1 else f"{where} and {alike - 1:,} more", status, field, message)
            for where, status, field, message, alike in self.first_refused
        ]
        widths = [max(len(row[column]) for row in table) for column in range(3)]
        for where, status, field, message in table:
            write(f"  {where:<{widths[0]}}  {status:<{widths[1]}}  {field:<{widths[2]}}  {message}\n")
        if self.rejects_name is not None:
            write(f"All {self.refused} are in {self.rejects_name}, one JSON object per line.\n")
        else:
            failed = self.summary.failed
            listed = self.refused - failed
            if listed:
                write(f"The {listed} rejected or conflicting are above, one JSON object per line.\n")
            if failed:
                write(
                    f"The {failed} failed are counted, not listed (--rejects PATH lists them); "
                    "a rerun sends them.\n"
                )


def _first_error(errors: dict[str, Any]) -> tuple[str, str]:
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        text = " ".join(str(message).split())
        return str(field), text if len(text) <= 100 else text[:99] + "…"
    return "", ""
