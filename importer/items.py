"""What the rows become on their way to the API: an `Item` per entry to send, or per row that is not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .sources import SourceRow


@dataclass(frozen=True)
class Item:
    """One entry for the API (`entry`), the reasons a row cannot become one (`errors`), or
    neither: a row left out of this run (a running timer, a row outside the window), which
    counts as unchanged."""

    row: SourceRow
    entry: dict[str, Any] | None
    errors: dict[str, list[str]] | None = None
    rows: int = 1  # the source rows it stands for: a weekly entry sums several
    # How a refused row counts: "failed" when its pull broke off (a later run sends it).
    refused_as: Literal["invalid", "failed"] = "invalid"

    @property
    def external_id(self) -> str | None:
        return self.entry.get("external_id") if self.entry else None
