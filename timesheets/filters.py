"""The list's filters and sort orders, each served by an index at a million entries."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from .models import Timesheet

ORDERING_FIELDS = ("id", "year", "week", "user_id", "project", "hours")
# What breaks ties after a sort field: the rest of its index (Timesheet.Meta.indexes).
TIE_BREAKS = {"year": ("week", "id")}


class TimesheetFilter(django_filters.FilterSet):
    class Meta:
        model = Timesheet
        fields = ["user_type", "user_id", "year", "week", "project", "approved"]


class IndexedOrderingFilter(OrderingFilter):
    """`?ordering=` on the indexed fields, with ties broken by id in the same direction.

    The tie-break makes page numbers stable (without it, rows with the same `hours` may move
    between pages) and completes an index: `hours` sorts as (hours, id), `-year` as
    (-year, -week, -id), so the database reads one index forwards or backwards and stops
    after a page, whatever the table's size. Without `ordering`, the list is newest first.
    """

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or ["-id"])
        sign = "-" if ordering[0].startswith("-") else ""
        named = {field.lstrip("-") for field in ordering}
        for field in TIE_BREAKS.get(ordering[0].lstrip("-"), ("id",)):
            if "id" in named:  # unique: nothing left to break
                break
            if field not in named:
                ordering.append(sign + field)
                named.add(field)
        return ordering
