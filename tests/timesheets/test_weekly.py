"""The weekly picture in the admin: hours per person per week, per project, and what waits for approval."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timesheets import weekly
from timesheets.models import Timesheet

from ..factories import TimesheetFactory, UserFactory

PAGE = "/admin/timesheets/timesheet/weekly/"
RANGE = {"week_from": "2016-W23", "week_to": "2016-W24"}


def add(user_id: str, week: int, project: str, hours: str, approved: bool = False) -> None:
    TimesheetFactory(user_id=user_id, week=week, project=project, hours=Decimal(hours), approved=approved)


@pytest.fixture
def weeks(db) -> None:
    add("007", 24, "StoreZero", "40", approved=True)
    add("007", 23, "StoreZero", "8")
    add("008", 24, "Atlas", "12.5")
    add("009", 22, "Atlas", "99")  # outside the range


def test_hours_per_person_per_week(admin_client, weeks):
    picture = admin_client.get(PAGE, RANGE).context["picture"]
    assert [(row.label, row.weeks, row.total) for row in picture.persons] == [
        ("Employee 007", [Decimal("8"), Decimal("40")], Decimal("48")),
        ("Employee 008", [Decimal("0"), Decimal("12.5")], Decimal("12.5")),
    ]


def test_hours_per_project(admin_client, weeks):
    picture = admin_client.get(PAGE, RANGE).context["picture"]
    assert [(row.label, row.total) for row in picture.projects] == [
        ("StoreZero", 48),
        ("Atlas", Decimal("12.5")),
    ]


def test_what_waits_for_approval(admin_client, weeks):
    picture = admin_client.get(PAGE, RANGE).context["picture"]
    assert (picture.pending_entries, picture.pending_hours) == (2, Decimal("20.5"))
    assert [(row.label, row.total) for row in picture.pending_persons] == [
        ("Employee 008", Decimal("12.5")),
        ("Employee 007", Decimal("8")),
    ]


def test_persons_beyond_the_top_are_summed_as_others(admin_client, weeks, monkeypatch):
    monkeypatch.setattr(weekly, "TOP", 1)
    persons = admin_client.get(PAGE, RANGE).context["picture"].persons
    assert [(row.label, row.total) for row in persons] == [("Employee 007", 48), ("others", Decimal("12.5"))]


def test_the_charts_are_inline_svg_with_the_totals(admin_client, weeks):
    page = admin_client.get(PAGE, RANGE).content.decode()
    assert page.count("<svg") >= 3 and "Employee 007: 48 h" in page and "StoreZero: 48 h" in page
    chart = page.split('id="chart-persons"')[1].split("</figure>")[0]
    assert not re.search(r'(src|href)="(https?:)?//', chart)  # nothing fetched from the network


def test_the_page_costs_the_same_queries_for_more_people(admin_client, weeks):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(PAGE, RANGE)
        return len(captured)

    before = queries()
    for number in range(30):
        add(f"p-{number}", 24, f"project {number}", "1")
    assert queries() == before


def test_without_a_range_it_shows_the_current_week_and_the_seven_before(admin_client, weeks):
    # Was: the eight weeks up to the newest entry (2016-W24 here); payroll asked for now.
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)):
        picture = admin_client.get(PAGE).context["picture"]
    assert (str(picture.start), str(picture.end)) == ("2026-W42", "2026-W49")


def test_a_bad_week_is_reported_not_a_server_error(admin_client, weeks):
    response = admin_client.get(PAGE, {"week_from": "2016-W99"})
    assert response.status_code == 200
    assert "is not an ISO week" in response.content.decode() or response.context["errors"]


def test_only_staff_see_it(client, weeks):
    client.force_login(UserFactory(username="visitor"))
    assert client.get(PAGE)["Location"].startswith("/admin/login/")


def test_the_picture_reads_its_weeks_in_one_query(weeks):
    # No index holds every column it sums, so each query reads the range's rows one by one:
    # one read, not five (see weekly_picture).
    with CaptureQueriesContext(connection) as captured:
        weekly.weekly_picture(Timesheet.objects.all(), weekly.IsoWeek(2016, 23), weekly.IsoWeek(2016, 24))
    assert len(captured) == 1, [query["sql"] for query in captured]
