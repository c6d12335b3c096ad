"""The weekly picture: hours per person per week, hours per project, what waits for approval.

One query reads the chosen weeks' entries and Python adds them up, at any table size; the
output is bounded (the top persons and projects, the rest summed as "others"). Charts are SVG
drawn on the server by pygal, so the page needs no network and no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pygal
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from pygal.style import DefaultStyle

from .models import Timesheet
from .weeks import IsoWeek, between, weeks_between

TOP = 10  # persons and projects named one by one; the rest are "others"
MAX_WEEKS = 26  # at most half a year at a time: the charts stay legible, the read bounded
DEFAULT_WEEKS = 8
OTHERS = "others"
ZERO = Decimal("0.00")

Person = tuple[str, str]  # (user_type, user_id)


@dataclass
class Row:
    label: str
    total: Decimal = ZERO
    weeks: list[Decimal] = field(default_factory=list)


@dataclass
class WeekTotals:
    week: IsoWeek
    entries: int = 0
    hours: Decimal = ZERO
    pending_entries: int = 0
    pending_hours: Decimal = ZERO


@dataclass
class Picture:
    start: IsoWeek
    end: IsoWeek
    weeks: list[WeekTotals]
    persons: list[Row]
    projects: list[Row]
    pending_persons: list[Row]

    @property
    def hours(self) -> Decimal:
        return sum((week.hours for week in self.weeks), ZERO)

    @property
    def pending_hours(self) -> Decimal:
        return sum((week.pending_hours for week in self.weeks), ZERO)

    @property
    def pending_entries(self) -> int:
        return sum(week.pending_entries for week in self.weeks)


def default_range(queryset: QuerySet[Timesheet]) -> tuple[IsoWeek, IsoWeek]:
    """The last DEFAULT_WEEKS weeks that end with the newest week holding an entry."""
    newest = queryset.order_by("-year", "-week").values_list("year", "week").first()
    end = IsoWeek(*newest) if newest else IsoWeek.of(timezone.localdate())
    return end.plus(1 - DEFAULT_WEEKS), end


def person_label(user_type: str, user_id: str) -> str:
    return f"{user_type} {user_id}"


def weekly_picture(queryset: QuerySet[Timesheet], start: IsoWeek, end: IsoWeek) -> Picture:
    """Every sum of the page from one read of the chosen weeks' entries, added up here.

    No index holds every column these sums need (one did, and cost every import about a
    tenth of its time), so a read visits the range's rows one by one: 38,000 for 8 weeks at
    a million entries. Five grouped queries read them five times; this reads them once.
    Grouping by (week, person, project, approved) first returned about as many rows, one
    entry per person, project and week being the common case, and took longer.
    """
    weeks = weeks_between(start, end)
    position = {(week.year, week.week): number for number, week in enumerate(weeks)}
    # Plain lists and dicts while adding up: at 125,000 rows (26 weeks) every attribute
    # access or call per row costs milliseconds.
    entries, hours_by_week = [0] * len(weeks), [ZERO] * len(weeks)
    pending_entries, pending_by_week = [0] * len(weeks), [ZERO] * len(weeks)
    persons: dict[Person, list[Decimal]] = {}
    pending: dict[Person, list[Any]] = {}  # [hours, entries]
    projects: dict[str, Decimal] = {}
    rows = (
        queryset.filter(between(start, end))
        .order_by()
        .values_list("year", "week", "user_type", "user_id", "project", "hours", "approved")
    )
    for year, week, kind, user_id, project, hours, approved in rows:
        number = position[year, week]
        entries[number] += 1
        hours_by_week[number] += hours
        by_week = persons.get((kind, user_id))
        if by_week is None:
            by_week = persons[kind, user_id] = [ZERO] * len(weeks)
        by_week[number] += hours
        projects[project] = projects.get(project, ZERO) + hours
        if not approved:
            pending_entries[number] += 1
            pending_by_week[number] += hours
            waiting = pending.get((kind, user_id))
            if waiting is None:
                pending[kind, user_id] = [hours, 1]
            else:
                waiting[0] += hours
                waiting[1] += 1
    totals = [
        WeekTotals(week, *sums)
        for week, sums in zip(
            weeks, zip(entries, hours_by_week, pending_entries, pending_by_week, strict=True), strict=True
        )
    ]
    return Picture(
        start=start,
        end=end,
        weeks=totals,
        persons=_persons_by_week(persons, totals),
        projects=_projects(projects),
        pending_persons=[
            Row(person_label(*person), hours, [count])
            for person, (hours, count) in _top(pending, lambda waiting: waiting[0])
        ],
    )


def _top(sums: dict[Any, Any], total: Callable[[Any], Decimal]) -> list[tuple[Any, Any]]:
    """The TOP keys with the most hours, ties by key: the order the database was asked for."""
    return sorted(sums.items(), key=lambda item: (-total(item[1]), item[0]))[:TOP]


def _persons_by_week(persons: dict[Person, list[Decimal]], totals: list[WeekTotals]) -> list[Row]:
    named = [
        Row(person_label(*person), sum(by_week, ZERO), by_week)
        for person, by_week in _top(persons, lambda by_week: sum(by_week, ZERO))
    ]
    others = Row(OTHERS, weeks=[week.hours for week in totals])
    for row in named:
        others.weeks = [rest - hours for rest, hours in zip(others.weeks, row.weeks, strict=True)]
    others.total = sum(others.weeks, ZERO)
    return [*named, others] if others.total else named


def _projects(projects: dict[str, Decimal]) -> list[Row]:
    named = [Row(project, total) for project, total in _top(projects, lambda total: total)]
    rest = sum(projects.values(), ZERO) - sum((row.total for row in named), ZERO)
    return [*named, Row(OTHERS, rest)] if rest else named


# --- Charts -------------------------------------------------------------------------------


def _config(chart: pygal.Graph, title: str, colors: tuple[str, ...] | None = None) -> pygal.Graph:
    # No script: pygal's default tooltips load from a CDN, and the page must work offline.
    chart.config.js = []
    chart.config.disable_xml_declaration = True
    chart.config.title = title
    chart.config.legend_at_bottom = True
    chart.config.truncate_legend = 40
    chart.config.height = 360
    style = {"colors": colors} if colors else {}
    chart.config.style = DefaultStyle(background="white", plot_background="white", **style)
    return chart


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f} h"


def charts(picture: Picture) -> dict[str, SafeString]:
    labels = [str(week.week) for week in picture.weeks]
    persons = _config(pygal.StackedBar(), f"Hours per person per week ({_hours(picture.hours)})")
    persons.x_labels = labels
    persons.x_label_rotation = 30 if len(labels) > 8 else 0
    for row in picture.persons:
        persons.add(f"{row.label}: {_hours(row.total)}", [float(hours) for hours in row.weeks])

    projects = _config(pygal.HorizontalBar(), f"Hours per project ({_hours(picture.hours)})")
    projects.print_values = True
    for row in picture.projects:
        projects.add(f"{row.label}: {_hours(row.total)}", [float(row.total)])

    approval = _config(
        pygal.StackedBar(),
        f"Waiting for approval: {_hours(picture.pending_hours)}",
        colors=("#417505", "#e08e0b"),  # approved green, waiting amber
    )
    approval.x_labels = labels
    approval.x_label_rotation = persons.x_label_rotation
    approved = [week.hours - week.pending_hours for week in picture.weeks]
    approval.add(f"approved: {_hours(sum(approved, ZERO))}", [float(hours) for hours in approved])
    approval.add(
        f"waiting: {_hours(picture.pending_hours)}", [float(week.pending_hours) for week in picture.weeks]
    )
    # pygal escapes every label it writes; the SVG is its own markup, safe to place inline.
    return {
        name: mark_safe(chart.render(is_unicode=True))  # noqa: S308
        for name, chart in (("persons", persons), ("projects", projects), ("approval", approval))
    }
