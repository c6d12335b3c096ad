"""Entries for payroll, as CSV (streamed) or as a workbook: one query read in chunks.

Shared by `GET /timesheets/export` and the admin's export button, so both give the same file.
Each row is the entry's fields as the API shows them, then what a person reading the file
needs beside ids: the person's name, the ISO week's Monday and Sunday, and who approved and
created the entry by name (docs/payroll.md).
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse

from people.models import Person

from .creators import creator_names
from .models import Timesheet
from .serializers import TimesheetSerializer

# The entry's fields, in the order the API shows them; then the columns for people.
FIELDS = tuple(TimesheetSerializer.Meta.fields)
NAMED = ("person_name", "week_start", "week_end", "approved_by_name", "created_by_name")
HEADER = (*FIELDS, *NAMED)
CHUNK_SIZE = 2000
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV Injection");
# a leading apostrophe makes it text. Tab and carriage return are on OWASP's list too, and
# so are the full-width and small forms, which Excel with an East Asian input method reads
# as = + - @. Every CSV the project writes goes through neutralise().
FULL_WIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")  # full-width = + - @
SMALL_FORMS = ("\ufe66", "\ufe62", "\ufe63", "\ufe6b")  # the same, small
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", *FULL_WIDTH, *SMALL_FORMS)
# What a total row says in the `id` column, so that a script can tell it from an entry.
TOTAL = "total"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A worksheet holds 1,048,576 rows, the header included; a longer export is CSV's job.
XLSX_MAX_ROWS = 1_048_575

_ID, _USER_TYPE, _USER_ID, _YEAR, _WEEK, _HOURS, _APPROVED_BY, _CREATED_BY = (
    FIELDS.index(name)
    for name in ("id", "user_type", "user_id", "year", "week", "hours", "approved_by", "created_by")
)


class _Echo:
    """csv.writer wants a file; this one hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


class TooManyRows(Exception):
    """More entries than a worksheet holds."""


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula, made inert; booleans as the API writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")  # payroll has no use for microseconds
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def person_names(identities: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The names of the people with these (user_type, user_id), with one query; others absent."""
    wanted = set(identities)
    if not wanted:
        return {}
    people = Person.objects.filter(user_id__in={user_id for _, user_id in wanted}).select_related("account")
    return {
        (person.user_type, person.user_id): person.name
        for person in people
        if (person.user_type, person.user_id) in wanted
    }


def rows(queryset: QuerySet[Timesheet], *, totals: bool = False) -> Iterator[list[list[Any]]]:
    """The header, then the entries in chunks of CHUNK_SIZE rows, then (`totals`) one row per person.

    Names are read once per chunk, so memory holds one chunk of rows whatever the export's
    size; the totals hold one sum per person of the selection.
    """
    yield [list(HEADER)]
    sums: dict[tuple[str, str], Decimal] = {}
    entries = queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(entries, CHUNK_SIZE)):
        people = person_names((row[_USER_TYPE], row[_USER_ID]) for row in chunk)
        names = creator_names(identity for row in chunk for identity in (row[_APPROVED_BY], row[_CREATED_BY]))
        lines = []
        for row in chunk:
            person = (row[_USER_TYPE], row[_USER_ID])
            monday = _monday(row[_YEAR], row[_WEEK])
            named = (
                people.get(person, ""),
                monday or "",
                monday + datetime.timedelta(days=6) if monday else "",
                names[row[_APPROVED_BY]] if row[_APPROVED_BY] else "",
                names[row[_CREATED_BY]],
            )
            lines.append([neutralise(value) for value in (*row, *named)])
            if totals:
                sums[person] = sums.get(person, Decimal(0)) + row[_HOURS]
        yield lines
    if totals and sums:
        people = person_names(sums)
        yield [_total_row(person, hours, people.get(person, "")) for person, hours in sorted(sums.items())]


def _monday(year: int, week: int) -> datetime.date | None:
    try:
        return datetime.date.fromisocalendar(year, week, 1)
    except ValueError:  # a week 53 the year lacks, saved before the API checked it: no dates
        return None


def _total_row(person: tuple[str, str], hours: Decimal, name: str) -> list[Any]:
    row: list[Any] = [""] * len(HEADER)
    row[_ID], row[_USER_TYPE], row[_USER_ID], row[_HOURS] = TOTAL, *person, hours
    row[HEADER.index("person_name")] = name
    return [neutralise(value) for value in row]


def csv_lines(queryset: QuerySet[Timesheet], *, totals: bool = False) -> Iterator[str]:
    """The file's text, a chunk of lines at a time: never more rows in memory.

    Lines go out in chunks, not one by one: a write per row would cost the server a system
    call per row at a million rows.
    """
    writer = csv.writer(_Echo())
    for chunk in rows(queryset, totals=totals):
        yield "".join(writer.writerow(row) for row in chunk)


def csv_response(
    queryset: QuerySet[Timesheet], filename: str = "timesheets.csv", *, totals: bool = False
) -> StreamingHttpResponse:
    lines = csv_lines(queryset, totals=totals)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(queryset: QuerySet[Timesheet], filename: str, *, totals: bool = False) -> FileResponse:
    """The same rows as a workbook, written to a temporary file and sent from there.

    openpyxl's write-only mode writes each row to the sheet's temporary file as it comes,
    with its strings inline, so memory holds one chunk of rows (CHUNK_SIZE) at any size;
    the finished workbook lies on disk, never in memory, and is streamed from there.
    """
    import openpyxl  # only an xlsx export pays for the import

    if queryset.count() > XLSX_MAX_ROWS:
        raise TooManyRows(f"More than {XLSX_MAX_ROWS:,} entries: a workbook holds no more; ask for CSV.")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Timesheets")
    for chunk in rows(queryset, totals=totals):
        for row in chunk:
            sheet.append(row)
    file = tempfile.TemporaryFile()  # FileResponse closes it once sent
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# --- File names ------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(parts: Iterable[str], extension: str) -> str:
    """`timesheets-2026-W46-approved.csv`: what was filtered, in the name, in safe characters."""
    cleaned = [_UNSAFE.sub("_", part).strip("_.") for part in parts if part]
    return "-".join(["timesheets", *filter(None, cleaned)]) + "." + extension


def filter_parts(filters: Mapping[str, Any]) -> list[str]:
    """Name parts for the API's filters, from TimesheetFilter's cleaned data (not the raw query)."""
    year, week = filters.get("year"), filters.get("week")
    approved = filters.get("approved")
    return [
        (filters.get("user_type") or "").lower(),
        filters.get("user_id") or "",
        "-".join(
            filter(
                None,
                (f"{int(year)}" if year is not None else "", f"W{int(week):02d}" if week is not None else ""),
            )
        ),
        filters.get("project") or "",
        "" if approved is None else ("approved" if approved else "pending"),
    ]


def admin_filter_parts(params: Mapping[str, str]) -> list[str]:
    """Name parts for the admin list's filters: its week range, approval and user type."""
    start, end = params.get("week_from", ""), params.get("week_to", "")
    approved = params.get("approved__exact", "")
    # The admin's changelist has filtered by this value already, read by the model field.
    flag = Timesheet._meta.get_field("approved").to_python(approved) if approved else None
    return [
        params.get("user_type__exact", "").lower(),
        start if start == end else "_to_".join(filter(None, (start, end))),
        "" if flag is None else ("approved" if flag else "pending"),
    ]
