"""Detailed time-entry exports of Toggl Track, Clockify and Harvest, summed into weekly entries.

A row of such an export is one stretch of work; the API wants one entry per person, ISO week
and project. What each tool writes, as its documentation and its exported files show it:

- Toggl Track, detailed report CSV: User, Email, Client, Project, Task, Description, Billable,
  Start date, Start time, End date, End time, Duration, Tags, Amount (<currency>); dates
  YYYY-MM-DD, durations hh:mm:ss, a UTF-8 BOM first. The CSV import takes these headers
  (support.toggl.com, "Editing and uploading a CSV file": "export a Detailed report into
  the CSV" to see the format); exported files in public repositories show the rest.
- Clockify, detailed report CSV: Project, Client, Description, Task, User, Group, Email, Tags,
  Billable, Start Date, Start Time, End Date, End Time, Duration (h), Duration (decimal),
  Billable Rate (<currency>), Billable Amount (<currency>). Dates follow the exporting user's
  profile setting ("DD/MM/YYYY, MM-DD-YYYY, etc.": clockify.me/help, "Profile settings" and
  "Import timesheets"; exports in public repositories show MM/DD/YYYY and YYYY-MM-DD);
  Duration (h) follows the workspace's duration format, hh:mm:ss, h:mm or h.hh
  (clockify.me/help, "Duration format").
- Harvest, detailed time report CSV: Date, Client, Project, Project Code, Task, Notes, Hours,
  Hours Rounded, Billable?, Invoiced?, Approved?, First Name, Last Name, Roles, Employee?,
  Billable Rate, Billable Amount, Cost Rate, Cost Amount, Currency, External Reference URL;
  no email. Harvest's time import reads this export as is and takes YYYY-MM-DD or M/D/YYYY
  dates and decimal hours (support.getharvest.com, "Importing and exporting data"). An older
  export quoted in public code has D.M.YYYY dates and hours like "7,5", so those are read too.

Headers are matched without regard to case or surrounding spaces.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any, TypeVar

from .config import ConfigurationError
from .sources import SourceRow
from .trackers.base import RUNNING
from .trackers.scopes import Scope, Scopes

USER_TYPES = ("Employee", "Contractor")
DEFAULT_USER_TYPE = "Contractor"
T = TypeVar("T")
HOUR = Decimal(3600)
CENT = Decimal("0.01")

YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
# At most 6 digits of hours (and 12 decimals): far beyond any week's 168 hours, and
# exact in a Decimal however many such rows are summed.
CLOCK = re.compile(r"(\d{1,6}):([0-5]\d)(?::([0-5]\d))?")
DECIMAL_HOURS = re.compile(r"\d{1,6}(?:[.,]\d{0,12})?|[.,]\d{1,12}")


@dataclass(frozen=True)
class Layout:
    """Where an export keeps what a weekly entry needs."""

    prefix: str  # of the entries' external_id
    label: str
    date: str
    durations: tuple[str, ...]  # the first one a row fills is used
    project: str
    names: tuple[str, ...]  # the parts of a person's name
    email: str | None = None
    user_type: str | None = None

    def missing(self, header: Mapping[str, str]) -> list[str]:
        """The columns this layout needs and the header lacks."""
        missing = [column for column in (self.date, self.project) if column.casefold() not in header]
        if not any(column.casefold() in header for column in self.durations):
            missing.append(self.durations[0])
        if not (self.email and self.email.casefold() in header):
            missing += [column for column in self.names if column.casefold() not in header]
        return missing


TOOLS = {
    "toggl": Layout(
        prefix="toggl",
        label="Toggl Track detailed export",
        date="Start date",
        durations=("Duration",),
        project="Project",
        names=("User",),
        email="Email",
    ),
    "clockify": Layout(
        prefix="clockify",
        label="Clockify detailed export",
        date="Start Date",
        # Duration (decimal) is rounded to hundredths; Duration (h) is exact as hh:mm:ss.
        durations=("Duration (h)", "Duration (decimal)"),
        project="Project",
        names=("User",),
        email="Email",
    ),
    "harvest": Layout(
        prefix="harvest",
        label="Harvest detailed time export",
        date="Date",
        durations=("Hours",),  # not Hours Rounded: the time as tracked
        project="Project",
        names=("First Name", "Last Name"),
        email="Email",
    ),
}


@lru_cache(maxsize=64)
def _header(keys: tuple[Any, ...]) -> dict[str, str]:
    return {key.strip().casefold(): key for key in keys if isinstance(key, str)}


def header_of(data: Mapping[Any, Any]) -> dict[str, str]:
    """The row's column names by their case-folded form; computed once per distinct header."""
    return _header(tuple(data))


def detect_tool(data: Mapping[Any, Any]) -> Layout | None:
    """The tool whose characteristic columns the row has, if any."""
    header = header_of(data)
    return next((layout for layout in TOOLS.values() if not layout.missing(header)), None)


def parse_date(text: str, *, day_first: bool = False) -> date:
    """YYYY-MM-DD (or with / or .), D.M.YYYY, and M/D/YYYY or M-D-YYYY, day first with day_first.

    Year-last dates with / or - are read month first because Harvest documents M/D/YYYY and
    Clockify's exports show MM/DD/YYYY; a DD/MM/YYYY export needs --day-first. The order is
    fixed for the run, never guessed row by row.
    """
    if match := YEAR_FIRST.fullmatch(text):
        year, separator, month, day = match.groups()
        reading = f"YYYY{separator}MM{separator}DD"
    elif match := YEAR_LAST.fullmatch(text):
        first, separator, second, year = match.groups()
        if separator == "." or day_first:
            day, month, reading = first, second, f"D{separator}M{separator}YYYY"
        else:
            month, day = first, second
            reading = f"M{separator}D{separator}YYYY; for D{separator}M{separator}YYYY use --day-first"
    else:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, M/D/YYYY or D.M.YYYY).")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a date (read as {reading}).") from None


def parse_duration(text: str) -> Decimal:
    """Exact seconds from hh:mm:ss, h:mm, or decimal hours with a point or a comma."""
    if match := CLOCK.fullmatch(text):
        hours, minutes, seconds = match.groups()
        return Decimal(int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0))
    if DECIMAL_HOURS.fullmatch(text):
        return Decimal(text.replace(",", ".")) * HOUR
    raise ValueError(
        f"{text[:40]!r} is not a duration (hh:mm:ss, h:mm or decimal hours, at most 6 digits of hours)."
    )


@dataclass(frozen=True)
class Person:
    user_id: str
    user_type: str = DEFAULT_USER_TYPE


def _person_key(text: str) -> str:
    return " ".join(text.split()).casefold()


class People:
    """Who the people of an export are in the API: themselves (their email, else their name),
    or, with --users, whoever the map says; someone missing from the map is not guessed."""

    def __init__(self, known: dict[str, Person] | None = None) -> None:
        self.known = known

    @classmethod
    def load(cls, path: str | Path) -> People:
        """A CSV of person (an email or a name), user_id and optionally user_type."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as file:
                return cls(_read_people(file, str(path)))
        except OSError as exc:
            raise ConfigurationError(f"--users {path}: {exc.strerror}") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ConfigurationError(f"--users {path}: not a UTF-8 CSV file ({exc})") from None

    def resolve(self, email: str, name: str) -> Person | None:
        if self.known is None:
            return Person(email or name)
        return next((self.known[key] for key in map(_person_key, (email, name)) if key in self.known), None)


def _read_people(file: IO[str], path: str) -> dict[str, Person]:
    reader = csv.reader(file)
    columns = [name.strip().casefold() for name in next(reader, [])]
    if "person" not in columns or "user_id" not in columns:
        raise ConfigurationError(
            f"--users {path}: needs the columns person and user_id (user_type is optional)."
        )
    known: dict[str, Person] = {}
    for values in reader:
        number = reader.line_num
        row = {column: value.strip() for column, value in zip(columns, values, strict=False)}
        if not any(row.values()):
            continue
        kind = row.get("user_type") or DEFAULT_USER_TYPE
        user_type = next((name for name in USER_TYPES if name.casefold() == kind.casefold()), None)
        if not row.get("person") or not row.get("user_id") or user_type is None:
            raise ConfigurationError(
                f"--users {path}, line {number}: needs a person, a user_id and a user_type of "
                f"{' or '.join(USER_TYPES)} (or none)."
            )
        person, key = Person(row["user_id"], user_type), _person_key(row["person"])
        if known.setdefault(key, person) != person:
            raise ConfigurationError(f"--users {path}, line {number}: {row['person']} is mapped twice.")
    return known


@dataclass
class _Total:
    source: str
    line: int  # of the group's first row, where an operator looks first
    entry: dict[str, Any]
    seconds: Decimal
    rows: int = 1


class Cells:
    """A row's values by column name, matched as its header is; ValueErrors name the column."""

    def __init__(self, data: Mapping[Any, Any], header: Mapping[str, str]) -> None:
        self.data = data
        self.header = header

    def text(self, column: str | None) -> str:
        key = self.header.get(column.casefold()) if column else None
        found = self.data.get(key) if key else None
        return "" if found is None else str(found).strip()

    def required(self, column: str) -> str:
        if not (text := self.text(column)):
            raise ValueError(f"{column} is empty.")
        return text

    def parsed(self, column: str, parse: Callable[[str], T]) -> T:
        text = self.required(column)
        try:
            return parse(text)
        except ValueError as exc:
            raise ValueError(f"{column}: {exc}") from None


def _checked(errors: dict[str, list[str]], field: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except ValueError as exc:
        errors[field] = [str(exc)]
        return None


class WeeklyTotals:
    """One running total per (export kind, person, ISO week, project): the memory an aggregated
    import needs, however many rows it reads. A week's total is that of the rows read in this run."""

    def __init__(self, people: People, *, day_first: bool = False, scopes: Scopes | None = None) -> None:
        self.people = people
        self.day_first = day_first
        self.scopes = scopes
        self.left_out = False  # set when add() leaves its row out of every total
        self._totals: dict[str, _Total] = {}

    def add(self, row: SourceRow, layout: Layout) -> dict[str, list[str]] | None:
        """Adds the row's time to its week; the reasons it cannot be used, if any.

        A running timer, and (with a window) a row outside it, is left out without a word
        (`left_out` says so; it counts as unchanged): the timer is counted once it stops, the
        row belongs to another run's window.
        """
        if row.data.get(RUNNING):
            self.left_out = True
            return None
        header = header_of(row.data)
        if missing := layout.missing(header):
            return {"non_field_errors": [f"No column {', '.join(missing)}: not a {layout.label}."]}
        cells = Cells(row.data, header)
        errors: dict[str, list[str]] = {}
        found = _checked(errors, "person", lambda: self._person(cells, layout))
        day = _checked(
            errors, "date", lambda: cells.parsed(layout.date, partial(parse_date, day_first=self.day_first))
        )
        duration = next((column for column in layout.durations if cells.text(column)), layout.durations[0])
        seconds = _checked(errors, "duration", lambda: cells.parsed(duration, parse_duration))
        project = _checked(errors, "project", lambda: cells.required(layout.project))
        scope = self._scope(row, layout)
        window = self.scopes.window_for(row.source) if self.scopes and scope else None
        if window is not None and day is not None and day not in window:
            self.left_out = True
            return None
        who, person = found or ("", None)
        if who and person is None:
            errors["person"] = [f"{who} is not in the --users map."]
        key = None
        if who and day is not None and project is not None:
            year, week, _ = day.isocalendar()
            key = f"{layout.prefix}:{who}:{year}-W{week:02d}:{project}"
        if scope is not None:
            self._note(scope, row, key, who, errors)
        if errors or key is None or person is None or seconds is None or day is None or project is None:
            return errors

        if total := self._totals.get(key):
            total.seconds += seconds
            total.rows += 1
        else:
            user_type = cells.text(layout.user_type) or person.user_type
            entry = {"user_type": user_type, "user_id": person.user_id, "year": year, "week": week}
            self._totals[key] = _Total(row.source, row.line, {**entry, "project": project}, seconds)
        return None

    def _scope(self, row: SourceRow, layout: Layout) -> Scope | None:
        """The deletion scope of a tool's rows; --map layouts have none."""
        if self.scopes is None or layout.prefix not in TOOLS:
            return None
        return self.scopes.join(f"{layout.prefix}:", row.source)

    @staticmethod
    def _note(scope: Scope, row: SourceRow, key: str | None, who: str, errors: dict[str, list[str]]) -> None:
        """Keeps the key of a refused row (its time is still in the tracker); a row whose key
        cannot be known, other than one without a project (which never had a key), stops deletions."""
        if key is not None:
            scope.keys.add(key)
            scope.persons.add(who)
        elif set(errors) - {"project"}:
            scope.doubt = f"{row.source}, line {row.line}: a refused row whose week or person is unknown"

    def _person(self, cells: Cells, layout: Layout) -> tuple[str, Person | None]:
        """Who the row is about as the export names them (email, else name), and as the API knows them."""
        email = cells.text(layout.email)
        name = " ".join(part for part in map(cells.text, layout.names) if part)
        if not (who := email or name):
            columns = [column for column in (layout.email, *layout.names) if column]
            raise ValueError(f"No person: {' and '.join(columns)} empty.")
        return who, self.people.resolve(email, name)

    def keys(self) -> Iterator[str]:
        return iter(self._totals)

    def entries(self) -> Iterator[tuple[SourceRow, dict[str, Any], int]]:
        """Each week's entry, hours rounded only now that every row is summed, and its row count."""
        for key, total in self._totals.items():
            hours = (total.seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)
            entry = {**total.entry, "hours": str(hours), "external_id": key}
            yield SourceRow(total.source, total.line, dict(entry)), entry, total.rows
