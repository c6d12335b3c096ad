"""The weekly picture: hours per person per week, hours per project, what waits for approval.

Aggregate queries only, and bounded output (the top persons and projects, the rest summed as
"others"), so the page costs the same few queries at a million entries as at ten. Charts are
SVG drawn on the server by pygal, so the page needs no network and no JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pygal
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from pygal.style import DefaultStyle

from .models import Timesheet
from .weeks import IsoWeek, between, weeks_between

TOP = 10  # persons and projects named one by one; the rest are "others"
MAX_WEEKS = 26  # at most half a year at a time: the charts stay legible, the page under 500 ms
DEFAULT_WEEKS = 8
OTHERS = "others"
ZERO = Decimal("0.00")


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
    entries = queryset.filter(between(start, end))
    weeks = {week: WeekTotals(week) for week in weeks_between(start, end)}
    pending = Q(approved=False)
    for year, week, count, hours, pending_count, pending_hours in (
        entries.values_list("year", "week")
        .annotate(
            entries=Count("id"),
            total=Sum("hours"),
            pending_entries=Count("id", filter=pending),
            pending_total=Sum("hours", filter=pending),
        )
        .order_by()
    ):
        weeks[IsoWeek(year, week)] = WeekTotals(
            IsoWeek(year, week), count, hours, pending_count, pending_hours or ZERO
        )
    totals = list(weeks.values())
    return Picture(
        start=start,
        end=end,
        weeks=totals,
        persons=_persons_by_week(entries, totals),
        projects=_projects(entries, sum((week.hours for week in totals), ZERO)),
        pending_persons=_pending_persons(entries),
    )


def _persons_by_week(entries: QuerySet[Timesheet], totals: list[WeekTotals]) -> list[Row]:
    top = list(
        entries.values_list("user_type", "user_id")
        .annotate(total=Sum("hours"))
        .order_by("-total", "user_type", "user_id")[:TOP]
    )
    index = {week.week: position for position, week in enumerate(totals)}
    rows = {
        (kind, person): Row(person_label(kind, person), total, [ZERO] * len(totals))
        for kind, person, total in top
    }
    if rows:
        for kind, person, year, week, hours in (
            entries.filter(user_id__in={person for _, person in rows})
            .values_list("user_type", "user_id", "year", "week")
            .annotate(total=Sum("hours"))
            .order_by()
        ):
            if (kind, person) in rows:
                rows[(kind, person)].weeks[index[IsoWeek(year, week)]] += hours
    named = list(rows.values())
    others = Row(OTHERS, weeks=[week.hours for week in totals])
    for row in named:
        others.weeks = [rest - hours for rest, hours in zip(others.weeks, row.weeks, strict=True)]
    others.total = sum(others.weeks, ZERO)
    return [*named, others] if others.total else named


def _projects(entries: QuerySet[Timesheet], hours: Decimal) -> list[Row]:
    named = [
        Row(project, total)
        for project, total in entries.values_list("project")
        .annotate(total=Sum("hours"))
        .order_by("-total", "project")[:TOP]
    ]
    rest = hours - sum((row.total for row in named), ZERO)
    return [*named, Row(OTHERS, rest)] if rest else named


def _pending_persons(entries: QuerySet[Timesheet]) -> list[Row]:
    return [
        Row(person_label(kind, person), total, [count])
        for kind, person, total, count in entries.filter(approved=False)
        .values_list("user_type", "user_id")
        .annotate(total=Sum("hours"), count=Count("id"))
        .order_by("-total", "user_type", "user_id")[:TOP]
    ]


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
