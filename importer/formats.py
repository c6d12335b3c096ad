"""Turns source rows into items for the API, for each format the importer reads.

Native rows carry the entry's fields and stream through one by one. Time trackers' exports and
pulls (importer/tools/) and CSVs described by --map with a date and a duration hold time
entries instead, summed into one entry per person, ISO week and project (importer/weekly.py):
those entries can only be known once every row is read, so they come last. What the rows say
about each tool's keys goes to the run's `Deletions`, which this module alone fills.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.keys import native_key

from .config import ConfigurationError
from .deletions import Deletions
from .items import Item
from .layouts import RUNNING, Cells, Layout, header_of
from .people import People
from .sources import SourceRow
from .tools import BROKE_OFF, LAYOUTS, detect_tool, tracker_kind
from .weekly import WeeklyTotals

FORMATS = ("auto", "native", *LAYOUTS)
NATIVE_FIELDS = ("user_type", "user_id", "year", "week", "project", "hours", "external_id")
NATIVE_REQUIRED = frozenset(NATIVE_FIELDS[:-1])
MAP_FIELDS = (*NATIVE_FIELDS, "person", "date", "duration")
UNRECOGNISED = (
    "The columns match no format the importer reads: native rows need "
    f"{', '.join(NATIVE_FIELDS[:-1])}; a Toggl Track, Clockify or Harvest detailed export "
    "needs its own date, duration, project and person columns. Name the format with --format, "
    "or the columns with --map."
)


def _native_key(entry: dict[str, Any]) -> str | None:
    """The key of a native row that brings none of its own."""
    try:
        user_type, user_id, year, project = (
            entry[name] for name in ("user_type", "user_id", "year", "project")
        )
        year, week = int(year), int(entry["week"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None  # the API will say which field is wrong
    return native_key(user_type, user_id, year, week, project)


def native_item(row: SourceRow, entry: dict[str, Any]) -> Item:
    if not entry.get("external_id"):
        entry.pop("external_id", None)
        key = _native_key(entry)
        if key is not None:
            entry["external_id"] = key
    return Item(row, entry)


def _unusable(row: SourceRow) -> str | None:
    if row.error:
        return row.error
    if not isinstance(row.data, dict):
        return "Expected an object with the entry's fields."
    if None in row.data:
        return "The row has more fields than the header."
    return None


@dataclass(frozen=True)
class ColumnMap:
    """--map field=column,...: where another tool's CSV keeps the entry's fields."""

    columns: dict[str, str]

    @classmethod
    def parse(cls, spec: str) -> ColumnMap:
        columns: dict[str, str] = {}
        for part in filter(str.strip, spec.split(",")):
            name, equals, column = (text.strip() for text in part.partition("="))
            if not equals or not column:
                raise ConfigurationError(f"--map: {part.strip()!r} is not field=column.")
            if name not in MAP_FIELDS:
                raise ConfigurationError(
                    f"--map: unknown field {name!r}; the fields are {', '.join(MAP_FIELDS)}."
                )
            if columns.setdefault(name, column) != column:
                raise ConfigurationError(f"--map: {name} is mapped twice.")
        if not columns:
            raise ConfigurationError("--map names no columns.")
        if ("date" in columns) != ("duration" in columns):
            raise ConfigurationError("--map: map date and duration together, to sum time entries per week.")
        if "date" in columns and (computed := {"year", "week", "hours", "external_id"} & columns.keys()):
            raise ConfigurationError(f"--map: {', '.join(sorted(computed))} come from date and duration.")
        if {"person", "user_id"} <= columns.keys():
            raise ConfigurationError("--map: map person or user_id, not both.")
        return cls(columns)

    @property
    def layout(self) -> Layout | None:
        """With a date and a duration, rows are time entries, summed weekly as the tools' are."""
        if "date" not in self.columns:
            return None
        return Layout(
            "custom",
            "CSV as --map describes it",
            date=self.columns["date"],
            durations=(self.columns["duration"],),
            project=self.columns.get("project", "project"),
            names=(self.columns.get("person") or self.columns.get("user_id", "user_id"),),
            user_type=self.columns.get("user_type"),
        )

    def native_item(self, row: SourceRow, people: People) -> Item:
        """The entry's fields from the mapped columns, else from columns of their own name."""
        header = header_of(row.data)
        entry: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name in NATIVE_FIELDS:
            column = self.columns.get(name, name)
            if column.casefold() in header:
                entry[name] = row.data[header[column.casefold()]]
            elif name in self.columns:
                errors[name] = [f"No column {column!r} in the header."]
        if "person" in self.columns:
            column = self.columns["person"]
            who = Cells(row.data, header).text(column)
            person = people.resolve(who, who) if who else None
            if person is not None:
                entry["user_id"] = person.user_id
                entry.setdefault("user_type", person.user_type)
            else:
                errors["person"] = [
                    f"{who} is not in the --users map." if who else f"{column} is missing or empty."
                ]
        return Item(row, None, errors) if errors else native_item(row, entry)


def items_for(
    rows: Iterable[SourceRow],
    fmt: str,
    *,
    users: str | Path | None = None,
    column_map: str | None = None,
    day_first: bool = False,
    deletions: Deletions | None = None,
) -> Iterator[Item]:
    """The rows as items in `fmt` ("auto": native or a tool's export, by each row's header).

    The options are checked here, before a row is read, so a mistake in them stops the run
    (exit status 2) before anything is sent.
    """
    if fmt not in FORMATS:
        raise ConfigurationError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    mapping = ColumnMap.parse(column_map) if column_map is not None else None
    if mapping is not None and fmt not in ("auto", "native"):
        raise ConfigurationError(f"--map describes the columns itself: it does not go with --format {fmt}.")
    people = People.load(users) if users else People()
    if deletions is not None and people.known:
        deletions.know_people(people.known)
    return _items(rows, fmt, mapping, WeeklyTotals(people, day_first=day_first), deletions)


def _items(
    rows: Iterable[SourceRow],
    fmt: str,
    mapping: ColumnMap | None,
    totals: WeeklyTotals,
    deletions: Deletions | None,
) -> Iterator[Item]:
    for row in rows:
        problem = _unusable(row)
        if problem and tracker_kind(row.source) is not None:
            if deletions is not None:
                deletions.pull_failed(row.source, problem.removeprefix(BROKE_OFF))
            yield Item(row, None, {"source": [problem]}, refused_as="failed")  # the pull broke off here
        elif problem:
            if deletions is not None and row.error:
                deletions.file_broke(row.source)
            yield Item(row, None, {"non_field_errors": [problem]})
        elif (item := _read(row, fmt, mapping, totals, deletions)) is not None:
            yield item
    for row, entry, count in totals.entries():
        if deletions is not None and (reason := deletions.failure_of(entry["external_id"])):
            yield Item(row, None, {"source": [f"Not sent: {reason}"]}, rows=count, refused_as="failed")
        else:
            yield Item(row, entry, rows=count)


def _read(
    row: SourceRow, fmt: str, mapping: ColumnMap | None, totals: WeeklyTotals, deletions: Deletions | None
) -> Item | None:
    """The row's item now, or None when its time went into a weekly total."""
    layout: Layout | None
    if (kind := tracker_kind(row.source)) is not None:
        layout = LAYOUTS[kind]  # a pull's rows are shaped as its tool's export, whatever the options
    elif mapping is not None:
        layout = mapping.layout
        if layout is None:
            return mapping.native_item(row, totals.people)
    elif fmt == "native" or (fmt == "auto" and NATIVE_REQUIRED <= row.data.keys()):
        return native_item(row, dict(row.data))
    else:
        layout = LAYOUTS[fmt] if fmt in LAYOUTS else detect_tool(row.data)
        if layout is None:
            lacking = [name for name in NATIVE_FIELDS[:-1] if name not in row.data]
            hint = (
                f" Native fields missing here: {', '.join(lacking)}."
                if len(lacking) < len(NATIVE_REQUIRED)
                else ""
            )
            return Item(row, None, {"non_field_errors": [UNRECOGNISED + hint]})
    return _summed(row, layout, totals, deletions)


def _summed(row: SourceRow, layout: Layout, totals: WeeklyTotals, deletions: Deletions | None) -> Item | None:
    """None when the row's time went into its weekly total; else the row's item: refused, or
    left out of this run (neither entry nor errors; it counts as unchanged). A running timer is
    counted once it stops; with a window, a row outside it belongs to another run's."""
    if row.data.get(RUNNING):
        return Item(row, None)
    header = header_of(row.data)
    if missing := layout.missing(header):
        problem = f"No column {', '.join(missing)}: not a {layout.label}."
        return Item(row, None, {"non_field_errors": [problem]})
    # A tool's rows tell what its keys are; --map layouts have none to delete.
    keys, window = None, None
    if deletions is not None and layout.prefix in LAYOUTS:
        keys, window = deletions.saw(f"{layout.prefix}:", row.source), deletions.window_for(row.source)
    added = totals.add(row, layout, header, window)
    if added is None:
        return Item(row, None)
    if keys is not None:
        keys.note(row, added)
    return Item(row, None, added.errors) if added.errors else None
