"""Week windows on the database's (year, week): the server's queries over ISO weeks.

Reading and writing a week (`2016-W24`) is common/weeks.py's, shared with the importer.
"""

from __future__ import annotations

from django.db.models import Q

from common.weeks import IsoWeek

__all__ = ["IsoWeek", "between", "weeks_between"]


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
