"""Django admin for entries, with Django's test client."""

from __future__ import annotations

import pytest

from timesheets.models import Timesheet


@pytest.fixture
def admin_page(admin_client, timesheet):
    Timesheet.objects.create(
        user_type="Employee", user_id="e-7", year=2023, week=5, project="Borealis", hours=8, created_by="seed"
    )
    return admin_client


def test_the_list_shows_entries(admin_page):
    response = admin_page.get("/admin/timesheets/timesheet/")
    assert response.status_code == 200
    assert b"c-42" in response.content and b"e-7" in response.content


def test_the_list_filters_by_project(admin_page):
    response = admin_page.get("/admin/timesheets/timesheet/", {"project": "Borealis"})
    assert b"e-7" in response.content and b"c-42" not in response.content


def test_search_finds_by_user_id(admin_page):
    response = admin_page.get("/admin/timesheets/timesheet/", {"q": "c-42"})
    assert b"c-42" in response.content and b"e-7" not in response.content


def test_approve_selected_records_the_admin(admin_page, timesheet):
    response = admin_page.post(
        "/admin/timesheets/timesheet/",
        {"action": "approve_selected", "_selected_action": [timesheet.pk]},
        follow=True,
    )
    assert response.status_code == 200
    timesheet.refresh_from_db()
    assert timesheet.approved and timesheet.approved_by == "user:admin" and timesheet.approved_at


def test_audit_fields_are_read_only(admin_page, timesheet):
    response = admin_page.get(f"/admin/timesheets/timesheet/{timesheet.pk}/change/")
    form_fields = response.context["adminform"].form.fields
    assert "approved_by" not in form_fields and "created_by" not in form_fields
    assert "hours" in form_fields
