"""Years from 2000 to 2100: an entry beyond them is refused, and no week range is a server error."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import TimesheetFactory
from timesheets.serializers import ReconcileSerializer, TimesheetSerializer
from timesheets.weeks import FIRST_WEEK, LAST_WEEK, IsoWeek, parse_kept

PAGE = "/admin/timesheets/timesheet/weekly/"
ENTRY = {"user_type": "Employee", "user_id": "007", "project": "Atlas", "hours": "8"}


def year_errors(year: int, week: int) -> list[str]:
    serializer = TimesheetSerializer(data={**ENTRY, "year": year, "week": week})
    serializer.is_valid()
    return [str(error) for error in serializer.errors.get("year", [])]


@pytest.mark.parametrize(("year", "week"), [(2000, 1), (2100, 52)])
def test_the_first_and_last_weeks_kept_are_accepted(db, year, week):
    assert year_errors(year, week) == []


@pytest.mark.parametrize("year", [1999, 2101, 9999])
def test_a_year_outside_2000_to_2100_is_refused_with_the_range(db, year):
    assert year_errors(year, 1) == ["Years from 2000 to 2100 only."]


def test_the_bounds_are_the_weeks_of_2000_and_2100():
    assert (str(FIRST_WEEK), str(LAST_WEEK)) == ("2000-W01", "2100-W52")


@pytest.mark.parametrize("text", ["1999-W52", "2101-W01", "9999-W52"])
def test_a_week_outside_the_bounds_does_not_parse(text):
    with pytest.raises(ValueError, match="outside the weeks kept"):
        parse_kept(text)


def test_a_reconcile_window_beyond_the_bounds_is_refused(db):
    serializer = ReconcileSerializer(
        data={"since": "9999-W52", "until": "9999-W52", "prefix": "t:", "keep": []}
    )
    assert not serializer.is_valid()
    assert "Years from 2000 to 2100 only." in str(serializer.errors)


@pytest.mark.parametrize(
    "query",
    [
        {"week_from": "9999-W52", "week_to": "9999-W52"},
        {"week_from": "2100-W52", "week_to": "2100-W52"},
        {"week_from": "2000-W01", "week_to": "2000-W01"},
        {"week_from": "1999-W01"},
    ],
)
def test_the_weekly_picture_at_and_beyond_the_edges_is_no_server_error(admin_client, query):
    assert admin_client.get(PAGE, query).status_code == 200


def test_a_week_beyond_the_bounds_is_reported_on_the_weekly_picture(admin_client):
    response = admin_client.get(PAGE, {"week_from": "9999-W52", "week_to": "9999-W52"})
    assert any("outside the weeks kept" in error for error in response.context["errors"])


def test_an_entry_stored_beyond_the_bounds_leaves_the_default_picture_working(admin_client):
    # Written before the bound, or by hand in the database.
    TimesheetFactory.create(year=9999, week=52)
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    # The picture opens on the current week, whatever the newest entry says.
    assert response.context["picture"].end == IsoWeek.of(timezone.localdate())


def test_the_admin_list_filter_beyond_the_bounds_is_no_server_error(admin_client):
    response = admin_client.get("/admin/timesheets/timesheet/", {"week_from": "9999-W52"})
    assert response.status_code in (200, 302)
