"""Entries as CSV for payroll, streamed: one query read in chunks, one row written at a time.

Shared by `GET /timesheets/export` and the admin's export button, so both give the same file.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from .models import Timesheet
from .serializers import TimesheetSerializer

# The entry's fields, in the order the API shows them.
FIELDS = tuple(TimesheetSerializer.Meta.fields)
CHUNK_SIZE = 2000
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV Injection");
# a leading apostrophe makes it text. Tab and carriage return are on OWASP's list too, and
# so are the full-width and small forms, which Excel with an East Asian input method reads
# as = + - @ (issue 25, row 13). Every CSV the project writes goes through neutralise().
FULL_WIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width = + - @
SMALL_FORMS = ("\ufe66", "\ufe62", "\ufe63", "\ufe6b")  # the same, small
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", *FULL_WIDTH, *SMALL_FORMS)


class _Echo:
    """csv.writer wants a file; this one hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula, made inert; booleans as the API writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def csv_lines(queryset: QuerySet[Timesheet]) -> Iterator[str]:
    """The header, then the entries, CHUNK_SIZE lines at a time: never more rows in memory.

    Lines go out in chunks, not one by one: a write per row would cost the server a system
    call per row at a million rows.
    """
    writer = csv.writer(_Echo())
    yield writer.writerow(FIELDS)
    lines: list[str] = []
    for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE):
        lines.append(writer.writerow([neutralise(value) for value in row]))
        if len(lines) == CHUNK_SIZE:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def csv_response(queryset: QuerySet[Timesheet], filename: str = "timesheets.csv") -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
