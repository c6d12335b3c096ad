"""ISO 8601 weeks as text (`2016-W24`: what `<input type="week">` sends, what the API's reconcile
takes, what a tracker key holds) and as (year, week): one reading and one writing for both sides."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Week 5 may be written W5 or W05 (a hand-typed admin filter); both read as the same week.
PATTERN = r"(\d{4})-W(\d{1,2})"
_WEEK = re.compile(PATTERN)


def week_text(year: int, week: int) -> str:
    """`2016-W24`, the week always two digits, as ISO 8601 writes it and as keys hold it."""
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2016-W24`; a week that does not exist (2015-W54) is a ValueError, as for dates."""
        match = _WEEK.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week such as 2016-W24.")
        week = cls(int(match[1]), int(match[2]))
        week.monday()  # raises ValueError for a week the year does not have
        return week

    @classmethod
    def of(cls, day: datetime.date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def monday(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.year, self.week, 1)

    def plus(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday() + datetime.timedelta(weeks=weeks))

    def __str__(self) -> str:
        return week_text(self.year, self.week)
