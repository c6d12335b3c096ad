"""A time tracker's detailed export, as the importer reads it: which columns hold what a weekly
entry needs (a `Layout`; each tool's is in importer/tools/), and how its dates and durations read.

A pull from a tracker's API yields rows shaped as that tool's export, so a file and a pull are
read by the same layout, and sum into the same weekly entries with the same keys.
Headers are matched without regard to case or surrounding spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")
HOUR = Decimal(3600)
# Marks a running timer among a pull's rows: it is read, counted, and left out of the sums.
RUNNING = "(running)"

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


@lru_cache(maxsize=64)
def _header(keys: tuple[Any, ...]) -> dict[str, str]:
    return {key.strip().casefold(): key for key in keys if isinstance(key, str)}


def header_of(data: Mapping[Any, Any]) -> dict[str, str]:
    """The row's column names by their case-folded form; computed once per distinct header."""
    return _header(tuple(data))


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
