"""GET /timesheets/export: entries as CSV for payroll, streamed and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from types import GeneratorType
from unittest import mock

from django.db.models.query import QuerySet

from timesheets import export
from timesheets.models import Timesheet

from ..factories import TimesheetFactory


def text(response) -> str:
    """The streamed body, read to its end."""
    return b"".join(response.streaming_content).decode()


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text(response))))


def test_the_export_is_csv_with_a_header_of_the_entry_fields(app, app_token, entry):
    app.post("/timesheets", token=app_token, json=entry(external_id="k-1"))
    response = app.get("/timesheets/export", token=app_token)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = text(response)
    assert body.splitlines()[0] == ",".join(export.HEADER)  # the contract added named columns
    [row] = csv.DictReader(io.StringIO(body))
    assert (row["user_id"], row["project"], row["hours"], row["external_id"]) == (
        "007",
        "StoreZero",
        "40.00",
        "k-1",
    )


def test_the_export_takes_the_list_filters(app, app_token, entry):
    app.post("/timesheets", token=app_token, json=entry(user_id="a"))
    app.post("/timesheets", token=app_token, json=entry(user_id="b"))
    response = app.get("/timesheets/export", token=app_token, params={"user_id": "b"})
    assert [row["user_id"] for row in rows(response)] == ["b"]


def test_cells_that_start_a_formula_are_neutralised(app, app_token, entry):
    for project in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"):
        app.post("/timesheets", token=app_token, json=entry(project=project, external_id=project))
    projects = {row["project"] for row in rows(app.get("/timesheets/export", token=app_token))}
    assert projects == {"'=HYPERLINK(1)", "'+1", "'-1", "'@SUM(A1)"}


def test_the_export_needs_the_read_scope(app):
    response = app.get("/timesheets/export", token=app.token(scope="create:timesheets"))
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["read:timesheets"]


def test_the_api_answers_with_a_streaming_response(admin_client, timesheet):
    response = admin_client.get("/timesheets/export")
    assert response.streaming
    assert "c-42" in b"".join(response.streaming_content).decode()


def test_rows_are_read_from_a_query_iterator_only_as_the_stream_is_consumed(timesheet):
    with mock.patch.object(QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator) as iterator:
        response = export.csv_response(Timesheet.objects.all())
        assert iterator.call_count == 0  # the response holds a generator, not the rows
        body = response.getvalue().decode()
    assert iterator.call_args.kwargs == {"chunk_size": export.CHUNK_SIZE}
    assert "c-42" in body


def test_lines_go_out_a_chunk_at_a_time(timesheet, monkeypatch):
    for user_id in ("a", "b"):
        TimesheetFactory(user_id=user_id)
    monkeypatch.setattr(export, "CHUNK_SIZE", 2)
    lines = export.csv_lines(Timesheet.objects.order_by("id"))
    assert isinstance(lines, GeneratorType)  # not inspect.isgenerator: its TypeIs makes the chunks objects
    assert [chunk.count("\n") for chunk in lines] == [1, 2, 1]  # header, two rows, the last row
