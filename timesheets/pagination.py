"""Pages of entries that stay fast at a million rows, for the API and the admin alike.

People page by number (`?page=`); a client that walks every entry follows `?cursor=`. Two
costs grow with the table under plain offset pagination, and both are bounded here:

- the total: `COUNT(*)` reads every matching row. A first page that holds every match
  needs no count at all; a longer list is counted once per query and the total kept in
  the cache until an entry is written (a write moves the highest entry or event id, which
  is part of the cache key), so the count stays exact without being paid on every page.
- the offset: a deep page first reads only the ids of its rows (an index-only walk), then
  those rows by primary key, instead of reading every skipped row whole.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Max, QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import BasePagination, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from .models import Timesheet, TimesheetEvent

COUNT_CACHE_SECONDS = 3600
DEEP_OFFSET = 1000  # from here on, a page reads ids first


def entries_version(using: str) -> tuple:
    """Changes whenever an entry is created, updated, approved or deleted: a new entry gets
    a higher id, and every other write records an event."""
    newest = Timesheet.objects.using(using).aggregate(Max("pk"))["pk__max"]
    return newest, TimesheetEvent.objects.using(using).aggregate(Max("pk"))["pk__max"]


class FastCountPaginator(Paginator):
    """Django's paginator with counts kept between writes and deep pages read by id first."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        try:
            sql, params = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing (an empty `__in`, say)
            return 0
        state = (queryset.db, sql, params, entries_version(queryset.db))
        key = "timesheets:count:" + hashlib.sha256(repr(state).encode()).hexdigest()
        return cast(int, cache.get_or_set(key, queryset.count, COUNT_CACHE_SECONDS))

    def page(self, number: Any) -> Page:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or self.orphans:
            return super().page(number)
        if str(number) == "1" and "count" not in self.__dict__:
            rows = list(queryset[: self.per_page + 1])
            if len(rows) <= self.per_page:  # the whole list: its length is the count
                self.__dict__["count"] = len(rows)
            # Paginator._get_page is Django's own hook for a Page subclass; django-stubs leaves it out.
            return self._get_page(rows[: self.per_page], 1, self)  # type: ignore[attr-defined]
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom < DEEP_OFFSET:
            return self._get_page(queryset[bottom:top], number, self)  # type: ignore[attr-defined]
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)  # type: ignore[attr-defined]


class TimesheetPageNumberPagination(PageNumberPagination):
    django_paginator_class = FastCountPaginator


class TimesheetCursorPagination(CursorPagination):
    """Walks entries by ascending id, so entries created during a walk are met at its end.

    The cursor is a position (`id > n`), so every page costs the same at any depth; the
    `ordering` parameter does not apply to it.
    """

    ordering = "id"
    page_size_query_param = None

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        return (self.ordering,)


class TimesheetPagination(BasePagination):
    """Page numbers by default; cursor pagination as soon as `cursor` is in the query string,
    even empty (`?cursor=` starts a walk)."""

    cursor_query_param = TimesheetCursorPagination.cursor_query_param

    def __init__(self) -> None:
        self.pages = TimesheetPageNumberPagination()
        self.cursor = TimesheetCursorPagination()
        self.chosen: BasePagination = self.pages

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list | None:
        self.chosen = self.cursor if self.cursor_query_param in request.query_params else self.pages
        return self.chosen.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        return self.chosen.get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        shape = self.pages.get_paginated_response_schema(schema)
        return {**shape, "required": ["results"]}

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        cursor = self.cursor.get_schema_operation_parameters(view)
        for parameter in cursor:
            parameter["description"] = (
                "Walks every entry by id instead of by page: send it empty to start, then follow"
                " `next`. Each page costs the same at any depth; the answer has no `count`."
            )
        return self.pages.get_schema_operation_parameters(view) + cursor

    @property
    def display_page_controls(self) -> bool:  # type: ignore[override]
        return self.chosen.display_page_controls

    def to_html(self) -> str:
        return self.chosen.to_html()

    def get_results(self, data: dict) -> list:
        return self.chosen.get_results(data)
