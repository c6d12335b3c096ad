"""Turns source rows into API entries, for each export format the importer reads.

Native rows carry the entry's fields and stream through one by one. Time-tracker exports
(importer/timetrackers.py) and CSVs described by --map with a date and a duration hold time
entries instead, summed into one entry per person, ISO week and project: those entries can
only be known once every row is read, so they come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigurationError
from .sources import SourceRow
from .timetrackers import TOOLS, Cells, Layout, People, WeeklyTotals, detect_tool, header_of
from .trackers import Scopes, tracker_kind

FORMATS = ("auto", "native", *TOOLS)
NATIVE_FIELDS = ("user_type", "user_id", "year", "week", "project", "hours", "external_id")
NATIVE_REQUIRED = frozenset(NATIVE_FIELDS[:-1])
MAP_FIELDS = (*NATIVE_FIELDS, "person", "date", "duration")
UNRECOGNISED = (
    "The columns match no format the importer reads: native rows need "
    f"{', '.join(NATIVE_FIELDS[:-1])}; a Toggl Track, Clockify or Harvest detailed export "
    "needs its own date, duration, project and person columns. Name the format with --format, "
    "or the columns with --map."
)


@dataclass(frozen=True)
class Item:
    """One entry for the API, or the reason a row cannot become one."""

    row: SourceRow
    entry: dict[str, Any] | None
    errors: dict[str, list[str]] | None = None
    rows: int = 1  # the source rows it stands for: a weekly entry sums several
    # How an item that is not sent counts: "invalid"; "failed" when a pull broke off; "unchanged"
    # for a row left out of this run (a running timer, a row outside the window).
    refusal: str = "invalid"

    @property
    def external_id(self) -> str | None:
        return self.entry.get("external_id") if self.entry else None


def native_key(entry: dict[str, Any]) -> str | None:
    """`user_type:user_id:year-Wweek:project`: the key of a row that brings none of its own."""
    try:
        user_type, user_id, year, project = (
            entry[name] for name in ("user_type", "user_id", "year", "project")
        )
        year, week = int(year), int(entry["week"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None  # the API will say which field is wrong
    # Stripped as the API strips them, so " 007" and "007" are one key, as they are one entry.
    return f"{str(user_type).strip()}:{str(user_id).strip()}:{year}-W{week:02d}:{str(project).strip()}"


def native_item(row: SourceRow, entry: dict[str, Any]) -> Item:
    if not entry.get("external_id"):
        entry.pop("external_id", None)
        key = native_key(entry)
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
    scopes: Scopes | None = None,
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
    if scopes is not None and people.known:
        scopes.known_people = set(people.known)
    return _items(rows, fmt, mapping, WeeklyTotals(people, day_first=day_first, scopes=scopes))


def _items(
    rows: Iterable[SourceRow], fmt: str, mapping: ColumnMap | None, totals: WeeklyTotals
) -> Iterator[Item]:
    scopes = totals.scopes
    for row in rows:
        problem = _unusable(row)
        if problem and tracker_kind(row.source) is not None:
            yield Item(row, None, {"source": [problem]}, refusal="failed")  # the pull broke off here
        elif problem:
            if scopes is not None and row.error:
                scopes.broken_file = row.source
            yield Item(row, None, {"non_field_errors": [problem]})
        elif (item := _read(row, fmt, mapping, totals)) is not None:
            yield item
        elif totals.left_out:
            totals.left_out = False
            yield Item(row, None, {}, refusal="unchanged")
    failed = {scope.prefix: scope.failure for scope in scopes.by_prefix.values()} if scopes else {}
    for row, entry, count in totals.entries():
        if reason := failed.get(entry["external_id"].partition(":")[0] + ":"):
            yield Item(row, None, {"source": [f"Not sent: {reason}"]}, rows=count, refusal="failed")
        else:
            yield Item(row, entry, rows=count)


def _read(row: SourceRow, fmt: str, mapping: ColumnMap | None, totals: WeeklyTotals) -> Item | None:
    """The row's item now, or None when its time went into a weekly total."""
    layout: Layout | None
    if (kind := tracker_kind(row.source)) is not None:
        layout = TOOLS[kind]  # a pull's rows are shaped as its tool's export, whatever the options
    elif mapping is not None:
        layout = mapping.layout
        if layout is None:
            return mapping.native_item(row, totals.people)
    elif fmt == "native" or (fmt == "auto" and NATIVE_REQUIRED <= row.data.keys()):
        return native_item(row, dict(row.data))
    else:
        layout = TOOLS[fmt] if fmt in TOOLS else detect_tool(row.data)
        if layout is None:
            lacking = [name for name in NATIVE_FIELDS[:-1] if name not in row.data]
            hint = (
                f" Native fields missing here: {', '.join(lacking)}."
                if len(lacking) < len(NATIVE_REQUIRED)
                else ""
            )
            return Item(row, None, {"non_field_errors": [UNRECOGNISED + hint]})
    errors = totals.add(row, layout)
    return Item(row, None, errors) if errors else None
