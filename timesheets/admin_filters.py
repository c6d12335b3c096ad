"""The entries list's week filter: a range of ISO weeks, picked in the browser's week picker.

Django's own filter for `week` lists 53 numbers and knows nothing of years; payroll thinks
in "last week", "the last four weeks", "this year".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .weeks import IsoWeek, between


class WeekRangeFilter(admin.ListFilter):
    title = "ISO week"
    template = "admin/timesheets/week_range_filter.html"
    parameters = ("week_from", "week_to")

    def __init__(self, request: HttpRequest, params: dict[str, list[str]], model: Any, model_admin: Any):
        super().__init__(request, params, model, model_admin)
        self.bounds: dict[str, IsoWeek | None] = {}
        for name in self.parameters:
            values = params.pop(name, None)
            text = values[-1] if values else ""
            self.used_parameters[name] = text
            try:
                self.bounds[name] = IsoWeek.parse(text) if text else None
            except ValueError as error:
                raise IncorrectLookupParameters(error) from error

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(between(self.bounds["week_from"], self.bounds["week_to"]))

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        # The form resubmits every other filter and the search, so picking weeks narrows them.
        self.other_parameters = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name not in self.parameters
            for value in values
        ]
        selected = (self.used_parameters["week_from"], self.used_parameters["week_to"])
        for label, start, end in self.quick_ranges(timezone.localdate()):
            span = (str(start) if start else "", str(end) if end else "")
            yield {
                "selected": span == selected,
                "query_string": changelist.get_query_string(
                    {"week_from": span[0] or None, "week_to": span[1] or None}, ["p"]
                ),
                "display": label,
            }

    @staticmethod
    def quick_ranges(today: datetime.date) -> list[tuple[str, IsoWeek | None, IsoWeek | None]]:
        this_week = IsoWeek.of(today)
        last_week = this_week.plus(-1)
        year = today.isocalendar().year
        last_year_end = IsoWeek.of(datetime.date.fromisocalendar(year, 1, 1) - datetime.timedelta(days=1))
        return [
            ("Any week", None, None),
            (f"This week ({this_week})", this_week, this_week),
            (f"Last week ({last_week})", last_week, last_week),
            ("Last 4 weeks", this_week.plus(-3), this_week),
            (f"This year ({year})", IsoWeek(year, 1), this_week),
            (f"Last year ({year - 1})", IsoWeek(year - 1, 1), last_year_end),
        ]
