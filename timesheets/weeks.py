"""ISO 8601 weeks as people pick them (`2016-W24`, what `<input type="week">` sends) and as the
database stores them (year, week)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")

# The years an entry may name, and every week range the admin shows: a timesheet from
# before 2000 or after 2100 is a typing error. Python's dates end at 9999-12-31, so without
# a bound a week near there broke every sum that steps a week past it (issue 25, row 8).
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2016-W24`; a week that does not exist (2015-W54) is a ValueError, as for dates."""
        match = WEEK_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week such as 2016-W24.")
        week = cls(int(match[1]), int(match[2]))
        week.monday()  # raises ValueError for a week the year does not have
        if not FIRST_WEEK <= week <= LAST_WEEK:
            raise ValueError(f"{text.strip()} is outside the weeks kept, {FIRST_WEEK} to {LAST_WEEK}.")
        return week

    @classmethod
    def of(cls, day: datetime.date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def monday(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 1)

    def plus(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday() + datetime.timedelta(weeks=weeks))

    def clamped(self) -> IsoWeek:
        """This week, or the nearest end of FIRST_WEEK to LAST_WEEK (an entry stored before the bound)."""
        return min(max(self, FIRST_WEEK), LAST_WEEK)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


FIRST_WEEK = IsoWeek(FIRST_YEAR, 1)
LAST_WEEK = IsoWeek.of(datetime.date(LAST_YEAR, 12, 28))  # 28 December is always in the year's last week


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
