"""Django admin for entries, with Django's test client."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timesheets.models import Timesheet

from ..factories import ApiClientFactory, PersonFactory, StaffUserFactory, TimesheetFactory

CHANGELIST = "/admin/timesheets/timesheet/"


def listed(response) -> list[str]:
    """The user ids of the rows the list shows: what the page found, not what the page echoes."""
    return [timesheet.user_id for timesheet in response.context["cl"].result_list]


@pytest.fixture
def admin_page(admin_client, timesheet):
    TimesheetFactory(user_id="e-7", year=2023, week=5, project="Borealis", hours=8)
    return admin_client


def test_the_list_shows_entries(admin_page):
    response = admin_page.get("/admin/timesheets/timesheet/")
    assert response.status_code == 200
    assert b"c-42" in response.content and b"e-7" in response.content


def test_the_list_filters_by_project(admin_page):
    response = admin_page.get("/admin/timesheets/timesheet/", {"project": "Borealis"})
    assert b"e-7" in response.content and b"c-42" not in response.content


@pytest.mark.parametrize(("term", "found"), [("c-42", ["c-42"]), ("Borea", ["e-7"]), ("jira-1", ["e-7"])])
def test_search_finds_by_user_project_and_external_id(admin_page, term, found):
    Timesheet.objects.filter(user_id="e-7").update(external_id="jira-17")
    assert listed(admin_page.get(CHANGELIST, {"q": term})) == found


def test_the_creator_is_named_by_client_name_or_username(admin_page, timesheet):
    client = ApiClientFactory.create(name="Payroll import", scopes=["create:timesheets"]).client
    Timesheet.objects.filter(user_id="c-42").update(created_by=client.client_id)
    Timesheet.objects.filter(user_id="e-7").update(created_by="user:maria")
    rows = admin_page.get(CHANGELIST).context["cl"].result_list
    assert {row.user_id: row.creator_name for row in rows} == {"c-42": "Payroll import", "e-7": "maria"}


def test_creators_are_named_with_one_query_for_the_whole_page(admin_page):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_page.get(CHANGELIST)
        return len(captured)

    one_client = queries()
    for number in range(5):
        client = ApiClientFactory.create(name=f"client {number}", scopes=["create:timesheets"]).client
        TimesheetFactory(
            user_id=f"n-{number}", year=2024, week=1, project="P", hours=1, created_by=client.client_id
        )
    assert queries() == one_client


def test_the_week_filter_takes_a_range_of_iso_weeks(admin_page):
    response = admin_page.get(CHANGELIST, {"week_from": "2023-W01", "week_to": "2023-W52"})
    assert listed(response) == ["e-7"]
    assert listed(admin_page.get(CHANGELIST, {"week_from": "2024-W10"})) == ["c-42"]


def test_a_week_that_does_not_exist_is_refused_without_an_error_page(admin_page):
    response = admin_page.get(CHANGELIST, {"week_from": "2023-W53"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_the_export_button_gives_the_filtered_list_as_csv(admin_page):
    response = admin_page.get(CHANGELIST + "export/", {"q": "e-7"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["user_id"] for row in rows] == ["e-7"]


def test_approve_selected_records_the_admin(admin_page, timesheet):
    response = admin_page.post(
        "/admin/timesheets/timesheet/",
        {"action": "approve_selected", "_selected_action": [timesheet.pk]},
        follow=True,
    )
    assert response.status_code == 200
    timesheet.refresh_from_db()
    assert timesheet.approved and timesheet.approved_by == "user:admin" and timesheet.approved_at


def test_approve_selected_keeps_the_approvers_own_entry(client, timesheet):
    # A payroll clerk who also logs time as Contractor c-42, the fixture's entry.
    clerk = StaffUserFactory(username="clerk", permissions=["view_timesheet", "approve_timesheet"])
    PersonFactory(account=clerk, user_type="Contractor", user_id="c-42")
    client.force_login(clerk)

    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [timesheet.pk]}, follow=True
    )

    timesheet.refresh_from_db()
    assert not timesheet.approved
    assert "approved by someone else" in response.content.decode()


def test_unapprove_lifts_an_approval(admin_page, timesheet):
    Timesheet.objects.filter(pk=timesheet.pk).update(approved=True, approved_by="user:admin")
    admin_page.post(CHANGELIST, {"action": "unapprove_selected", "_selected_action": [timesheet.pk]})
    timesheet.refresh_from_db()
    assert not timesheet.approved and timesheet.approved_by == "" and timesheet.approved_at is None


@pytest.mark.parametrize("action", ["approve_selected", "unapprove_selected"])
def test_approval_actions_need_the_approve_permission(client, timesheet, action):
    clerk = StaffUserFactory(username="clerk", permissions=["view_timesheet", "change_timesheet"])
    client.force_login(clerk)
    approved = action == "unapprove_selected"
    Timesheet.objects.filter(pk=timesheet.pk).update(approved=approved)
    client.post(CHANGELIST, {"action": action, "_selected_action": [timesheet.pk]})
    timesheet.refresh_from_db()
    assert timesheet.approved is approved


def test_audit_fields_are_read_only(admin_page, timesheet):
    response = admin_page.get(f"/admin/timesheets/timesheet/{timesheet.pk}/change/")
    form_fields = response.context["adminform"].form.fields
    assert "approved_by" not in form_fields and "created_by" not in form_fields
    assert "hours" in form_fields
