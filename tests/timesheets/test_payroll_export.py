"""GET /timesheets/export for payroll: names beside ids, ISO week dates, totals, a workbook, a
file name that says what was filtered, and no misspelt filter that widens it. In process."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from issuer.services import api_client_create
from people.models import Person
from tests.factories import PersonFactory, TimesheetFactory
from timesheets import export
from timesheets.models import Timesheet


@pytest.fixture
def clerk(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("clerk", "clerk@abc.example", "x"))
    return client


def entry(**fields) -> Timesheet:
    return TimesheetFactory.create(**{"year": 2026, "week": 46, "created_by": "user:maria", **fields})


def person(user_id: str, first: str, last: str) -> Person:
    return PersonFactory.create(
        user_id=user_id, account__username=user_id, account__first_name=first, account__last_name=last
    )


def table(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_a_misspelt_filter_is_refused_with_a_suggestion(clerk):
    entry()
    response = clerk.get("/timesheets/export", {"aproved": "true", "year": "2026", "week": "46"})
    assert response.status_code == 400
    assert response.json() == {"aproved": ["unknown query parameter `aproved`; did you mean `approved`?"]}


@pytest.mark.parametrize("path", ["/timesheets", "/timesheets?cursor=", "/timesheets/export"])
def test_every_list_like_answer_refuses_an_unknown_parameter(clerk, path):
    separator = "&" if "?" in path else "?"
    assert clerk.get(f"{path}{separator}user=007").status_code == 400


@pytest.mark.parametrize(
    "query", ["?ordering=hours&page=1&format=json", "?cursor=&approved=false", "?user_type=Employee&week=46"]
)
def test_known_parameters_still_answer(clerk, query):
    assert clerk.get("/timesheets" + query).status_code == 200


def test_totals_is_known_to_the_export_only(clerk):
    assert clerk.get("/timesheets/export?totals=true").status_code == 200
    assert clerk.get("/timesheets?totals=true").status_code == 400


def test_the_export_names_people_weeks_approvers_and_creators(clerk):
    person("007", "Ann", "Lee")
    app = api_client_create(name="Contractor import", scopes=["create:timesheets"]).client
    entry(created_by=app.client_id, approved=True, approved_by="user:paula")
    entry(user_id="c-9", user_type="Contractor")
    rows = {row["user_id"]: row for row in table(clerk.get("/timesheets/export"))}
    assert rows["007"]["person_name"] == "Ann Lee"
    assert (rows["007"]["week_start"], rows["007"]["week_end"]) == ("2026-11-09", "2026-11-15")
    assert (rows["007"]["approved_by_name"], rows["007"]["created_by_name"]) == ("paula", "Contractor import")
    assert (rows["c-9"]["person_name"], rows["c-9"]["approved_by_name"]) == ("", "")


def test_the_header_is_the_entry_fields_then_the_named_columns(clerk):
    response = clerk.get("/timesheets/export")
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header == ",".join(
        [*export.FIELDS, "person_name", "week_start", "week_end", "approved_by_name", "created_by_name"]
    )


def test_times_are_whole_seconds_with_the_time_zone(clerk):
    at = datetime.datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    entry(approved=True, approved_at=at)
    [row] = table(clerk.get("/timesheets/export"))
    assert row["approved_at"] == "2026-11-30T10:00:00+00:00"


def test_totals_add_a_row_per_person(clerk):
    person("007", "Ann", "Lee")
    entry(hours=Decimal("30"))
    entry(hours=Decimal("8.5"), project="Atlas")
    entry(user_id="c-9", hours=Decimal("2"))
    rows = table(clerk.get("/timesheets/export?totals=true"))
    totals = [(row["user_id"], row["person_name"], row["hours"]) for row in rows if row["id"] == "total"]
    assert totals == [("007", "Ann Lee", "38.50"), ("c-9", "", "2.00")]
    assert len(rows) == 5


def test_a_bad_totals_value_is_refused(clerk):
    assert clerk.get("/timesheets/export?totals=maybe").status_code == 400


def test_the_file_name_carries_the_filters(clerk):
    response = clerk.get("/timesheets/export", {"approved": "true", "year": "2026", "week": "46"})
    assert response["Content-Disposition"] == 'attachment; filename="timesheets-2026-W46-approved.csv"'


def test_the_file_name_keeps_only_safe_characters():
    name = export.file_name(export.filter_parts({"user_id": '../"x y', "approved": False}), "csv")
    assert name == "timesheets-x_y-pending.csv"


def test_xlsx_gives_a_workbook_with_the_same_rows(clerk):
    person("007", "Ann", "Lee")
    entry(project="=HYPERLINK(1)")
    response = clerk.get("/timesheets/export", {"format": "xlsx", "totals": "true", "week": "46"})
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX_TYPE
    assert 'filename="timesheets-W46.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row, total = (list(values) for values in sheet.iter_rows(values_only=True))
    assert header == list(export.HEADER)
    assert row[header.index("project")] == "'=HYPERLINK(1)"  # text, not a formula
    assert row[header.index("person_name")] == "Ann Lee"
    assert (total[0], total[header.index("hours")]) == ("total", 40)


def test_an_unknown_format_is_refused(clerk):
    assert clerk.get("/timesheets/export?format=pdf").status_code == 400


def test_too_many_rows_for_a_workbook_is_refused(clerk, monkeypatch):
    entry()
    entry(project="Atlas")
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 1)
    response = clerk.get("/timesheets/export?format=xlsx")
    assert response.status_code == 400
    assert "CSV" in response.json()["format"][0]
