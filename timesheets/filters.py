"""The list's filters and sort orders, each served by an index at a million entries."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request

from . import query
from .models import Timesheet

ORDERING_FIELDS = ("id", "year", "week", "user_id", "project", "hours")
# What breaks ties after a sort field: the rest of its index (Timesheet.Meta.indexes).
TIE_BREAKS = {"year": ("week", "id")}


class FlagField(forms.Field):
    """`true` or `false` (query.flag_value), empty for "either"; any other value is invalid.

    django-filter's own boolean widgets read `1`, `yes` or a typo as "no filter", which widened
    `?approved=1` to pending entries; here it is a 400 naming `approved` instead.
    """

    widget = forms.Select(choices=[("", "---------"), ("true", "true"), ("false", "false")])

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        try:
            return query.flag_value(str(value))
        except ValueError:
            raise forms.ValidationError(query.FLAG_ERROR, code="invalid") from None


class FlagFilter(django_filters.BooleanFilter):
    field_class = FlagField


class TimesheetFilter(django_filters.FilterSet):
    approved = FlagFilter()

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


# Parameters every list-like answer takes beside its filters: DRF's sort, page, cursor and
# format override (`?format=json`, `?format=api`).
COMMON_PARAMETERS = frozenset({"ordering", "page", "cursor", "format"})


class KnownParametersOnly(BaseFilterBackend):
    """Refuses a query parameter that nothing reads, or one given twice (query.py).

    django-filter ignores what it does not know, so `?aproved=true` silently widened a
    payroll export to unapproved rows, and reads the last of a repeated one. Here either is
    a 400 instead. It guards the list-like actions only (`detail` False: the list, the cursor
    walk, the export); a view adds the parameters of its own through `extra_query_params`
    (the export's `totals`).
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "detail", None) is not False:
            return queryset
        query.refuse_unknown_parameters(request, known_parameters(view))
        return queryset


def known_parameters(view: Any) -> frozenset[str]:
    filterset = getattr(view, "filterset_class", None)
    filters = set(filterset.base_filters) if filterset is not None else set()
    return frozenset(filters | COMMON_PARAMETERS | set(getattr(view, "extra_query_params", ())))
