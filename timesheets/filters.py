"""The list's filters and sort orders, each served by an index at a million entries."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
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


# Parameters every list-like answer takes beside its filters: DRF's sort, page, cursor and
# format override (`?format=json`, `?format=api`).
COMMON_PARAMETERS = frozenset({"ordering", "page", "cursor", "format"})


class KnownParametersOnly(BaseFilterBackend):
    """Refuses a query parameter that nothing reads, naming it and the closest known one.

    django-filter ignores what it does not know, so `?aproved=true` silently widened a
    payroll export to unapproved rows. Here a misspelt parameter is a 400 instead. It guards
    the list-like actions only (`detail` False: the list, the cursor walk, the export); a
    view adds the parameters of its own through `extra_query_params` (the export's `totals`).
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "detail", None) is not False:
            return queryset
        known = known_parameters(view)
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            raise ValidationError({name: [unknown_parameter_message(name, known)] for name in unknown})
        return queryset


def known_parameters(view: Any) -> frozenset[str]:
    filterset = getattr(view, "filterset_class", None)
    filters = set(filterset.base_filters) if filterset is not None else set()
    return frozenset(filters | COMMON_PARAMETERS | set(getattr(view, "extra_query_params", ())))


def unknown_parameter_message(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else f"; known: {', '.join(sorted(known))}."
    return f"unknown filter `{name}`{hint}"
