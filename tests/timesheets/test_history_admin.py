"""An entry's history in the admin: names, not ids; before -> after; linked both ways."""

from __future__ import annotations

from decimal import Decimal

import pytest

from timesheets import services
from timesheets.models import TimesheetEvent

from ..factories import ApiClientFactory
from ..samples import validated_entry


@pytest.fixture
def imported(db):
    """An entry an API client imported and then changed, as the import job would."""
    client = ApiClientFactory.create(name="Payroll import", scopes=["create:timesheets"]).client
    entry = validated_entry()
    services.timesheets_upsert(created_by=client.client_id, entries=[entry])
    [result] = services.timesheets_upsert(
        created_by=client.client_id, entries=[{**entry, "hours": Decimal("41.50")}]
    )
    return result.timesheet


def test_the_entry_page_links_to_its_history(admin_client, imported):
    page = admin_client.get(f"/admin/timesheets/timesheet/{imported.pk}/change/")
    assert f'href="/admin/timesheets/timesheet/{imported.pk}/history/"'.encode() in page.content


def test_the_history_shows_the_creation_and_the_diff_by_the_clients_name(admin_client, imported):
    page = admin_client.get(f"/admin/timesheets/timesheet/{imported.pk}/history/")
    rows = [(row.event.action, row.actor_name) for row in page.context["history"]]
    assert rows == [("created", "Payroll import"), ("updated", "Payroll import")]
    html = page.content.decode()
    assert "<del>40.00</del> → <ins>41.50</ins>" in html
    assert f'href="/admin/timesheets/timesheet/{imported.pk}/change/"' in html


def test_the_history_names_a_staff_user_by_username(admin_client, imported):
    admin_client.post(
        "/admin/timesheets/timesheet/", {"action": "approve_selected", "_selected_action": [imported.pk]}
    )
    page = admin_client.get(f"/admin/timesheets/timesheet/{imported.pk}/history/")
    assert [row.actor_name for row in page.context["history"]][-1] == "admin"


def test_an_audit_trail_row_links_to_its_entry_and_names_its_actor(admin_client, imported):
    page = admin_client.get("/admin/timesheets/timesheetevent/", {"action__exact": "updated"})
    html = page.content.decode()
    assert f'<a href="/admin/timesheets/timesheet/{imported.pk}/change/">#{imported.pk}</a>' in html
    assert "Payroll import" in html and imported.created_by not in html
    assert "<del>40.00</del> → <ins>41.50</ins>" in html


def test_an_audit_trail_row_of_a_deleted_entry_says_so(admin_client, imported):
    services.timesheet_delete(timesheet_id=imported.pk, deleted_by="user:admin")
    page = admin_client.get("/admin/timesheets/timesheetevent/", {"action__exact": "deleted"})
    assert f"#{imported.pk} (deleted)" in page.content.decode()


def test_the_audit_trail_is_read_only(admin_client, imported):
    event = TimesheetEvent.objects.filter(timesheet_id=imported.pk).first()
    assert event is not None
    assert admin_client.post(f"/admin/timesheets/timesheetevent/{event.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/timesheets/timesheetevent/{event.pk}/change/").status_code == 403
