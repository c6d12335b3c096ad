"""The list's filters and sort orders, each served by an index at a million entries."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from .models import Timesheet

# The list's default order: newest week first, then by person. Every sortable field has an
# index that starts with it and continues in this order (see Timesheet.Meta.indexes).
DEFAULT_ORDERING = ("-year", "-week", "user_id", "id")
ORDERING_FIELDS = ("id", "year", "week", "user_id", "project", "hours")


class TimesheetFilter(django_filters.FilterSet):
    class Meta:
        model = Timesheet
        fields = ["user_type", "user_id", "year", "week", "project", "approved"]


def _reverse(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


NATURAL_DIRECTION = {field.lstrip("-"): field for field in DEFAULT_ORDERING}


class IndexedOrderingFilter(OrderingFilter):
    """`?ordering=` on the indexed fields, with ties broken by the default order.

    The tie-break makes page numbers stable (without it, rows with the same `hours` may move
    between pages) and matches an index: it continues in the default order, reversed when
    the first field is sorted against its own direction there, so the database reads one
    index forwards or backwards and stops after a page, whatever the table's size.
    """

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        ordering = list(super().get_ordering(request, queryset, view) or DEFAULT_ORDERING)
        first = ordering[0].lstrip("-")
        backwards = ordering[0] != NATURAL_DIRECTION.get(first, first)
        named = {field.lstrip("-") for field in ordering}
        if "id" in named:  # unique: nothing left to break
            return ordering
        for field in DEFAULT_ORDERING:
            if field.lstrip("-") not in named:
                ordering.append(_reverse(field) if backwards else field)
        return ordering
