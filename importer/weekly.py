"""Time entries summed into one API entry per (tool, person, ISO week, project).

A row of a tracker's export (or of a pull) is one stretch of work; the API wants one entry per
person, ISO week and project. The totals are the memory an aggregated import needs, however
many rows it reads; a week's total is that of the rows read in this run, and its hours are
rounded only once every row is summed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, NamedTuple, TypeVar

from common.keys import tracker_key

from .layouts import HOUR, Cells, Layout, parse_date, parse_duration
from .people import People, Person
from .sources import SourceRow
from .window import Window

T = TypeVar("T")
CENT = Decimal("0.01")


class Added(NamedTuple):
    """What became of a row's time: its week's key when it could be known, the person as the
    export names them, and the reasons it was refused (None when it went into its total)."""

    key: str | None
    who: str
    errors: dict[str, list[str]] | None


@dataclass
class _Total:
    source: str
    line: int  # of the group's first row, where an operator looks first
    entry: dict[str, Any]
    seconds: Decimal
    rows: int = 1


def _checked(errors: dict[str, list[str]], field: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except ValueError as exc:
        errors[field] = [str(exc)]
        return None


class WeeklyTotals:
    def __init__(self, people: People, *, day_first: bool = False) -> None:
        self.people = people
        self.day_first = day_first
        self._totals: dict[str, _Total] = {}

    def add(
        self, row: SourceRow, layout: Layout, header: Mapping[str, str], window: Window | None
    ) -> Added | None:
        """Adds the row's time to its week; None when its day is outside `window`, which leaves
        the row to another run."""
        cells = Cells(row.data, header)
        errors: dict[str, list[str]] = {}
        found = _checked(errors, "person", lambda: self._person(cells, layout))
        day = _checked(
            errors, "date", lambda: cells.parsed(layout.date, partial(parse_date, day_first=self.day_first))
        )
        duration = next((column for column in layout.durations if cells.text(column)), layout.durations[0])
        seconds = _checked(errors, "duration", lambda: cells.parsed(duration, parse_duration))
        project = _checked(errors, "project", lambda: cells.required(layout.project))
        if window is not None and day is not None and day not in window:
            return None
        who, person = found or ("", None)
        if who and person is None:
            errors["person"] = [f"{who} is not in the --users map."]
        key = None
        if who and day is not None and project is not None:
            year, week, _ = day.isocalendar()
            key = tracker_key(layout.prefix, who, year, week, project)
        if errors or key is None or person is None or seconds is None or day is None or project is None:
            return Added(key, who, errors)

        if total := self._totals.get(key):
            total.seconds += seconds
            total.rows += 1
        else:
            user_type = cells.text(layout.user_type) or person.user_type
            entry = {"user_type": user_type, "user_id": person.user_id, "year": year, "week": week}
            self._totals[key] = _Total(row.source, row.line, {**entry, "project": project}, seconds)
        return Added(key, who, None)

    def _person(self, cells: Cells, layout: Layout) -> tuple[str, Person | None]:
        """Who the row is about as the export names them (email, else name), and as the API knows them."""
        email = cells.text(layout.email)
        name = " ".join(part for part in map(cells.text, layout.names) if part)
        if not (who := email or name):
            columns = [column for column in (layout.email, *layout.names) if column]
            raise ValueError(f"No person: {' and '.join(columns)} empty.")
        return who, self.people.resolve(email, name)

    def entries(self) -> Iterator[tuple[SourceRow, dict[str, Any], int]]:
        """Each week's entry, hours rounded only now that every row is summed, and its row count."""
        for key, total in self._totals.items():
            hours = (total.seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)
            entry = {**total.entry, "hours": str(hours), "external_id": key}
            yield SourceRow(total.source, total.line, dict(entry)), entry, total.rows
