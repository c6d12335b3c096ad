"""Week windows on the database's (year, week): the server's queries over ISO weeks.

Reading and writing a week (`2016-W24`) is common/weeks.py's, shared with the importer.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from common.weeks import IsoWeek

__all__ = ["FIRST_WEEK", "LAST_WEEK", "IsoWeek", "between", "clamped", "parse_kept", "weeks_between"]

# The years an entry may name, and every week range the admin shows: a timesheet from
# before 2000 or after 2100 is a typing error. Python's dates end at 9999-12-31, so without
# a bound a week near there broke every sum that steps a week past it.
FIRST_YEAR = 2000
LAST_YEAR = 2100


FIRST_WEEK = IsoWeek(FIRST_YEAR, 1)
LAST_WEEK = IsoWeek.of(datetime.date(LAST_YEAR, 12, 28))  # 28 December is always in the year's last week


def parse_kept(text: str) -> IsoWeek:
    """`2016-W24` within the weeks kept; a week outside them, or one that does not exist, is a ValueError."""
    week = IsoWeek.parse(text)
    if not FIRST_WEEK <= week <= LAST_WEEK:
        raise ValueError(f"{text.strip()} is outside the weeks kept, {FIRST_WEEK} to {LAST_WEEK}.")
    return week


def clamped(week: IsoWeek) -> IsoWeek:
    """The week, or the nearest end of FIRST_WEEK to LAST_WEEK (an entry stored before the bound)."""
    return min(max(week, FIRST_WEEK), LAST_WEEK)


def weeks_between(start: IsoWeek, end: IsoWeek) -> list[IsoWeek]:
    weeks, week = [], start
    while week <= end:
        weeks.append(week)
        week = week.plus(1)
    return weeks


def between(start: IsoWeek | None, end: IsoWeek | None) -> Q:
    """Entries from `start` to `end`, both included; either end may be open.

    Written as ranges on (year, week) that the database's (year, week) index serves: one
    range within a year, else the first year's tail, the whole years between, and the last
    year's head. (An OR of "year > y1" and "year = y1 and week >= w1" read every row on
    PostgreSQL at a million entries.)
    """
    if start is not None and end is not None:
        if start.year == end.year:
            return Q(year=start.year, week__gte=start.week, week__lte=end.week)
        return (
            Q(year=start.year, week__gte=start.week)
            | Q(year__gt=start.year, year__lt=end.year)
            | Q(year=end.year, week__lte=end.week)
        )
    if start is not None:
        return Q(year=start.year, week__gte=start.week) | Q(year__gt=start.year)
    if end is not None:
        return Q(year=end.year, week__lte=end.week) | Q(year__lt=end.year)
    return Q()
