"""Sending an entry back for a correction: the comment shows in the API until the next edit,
and the audit trail names it, as it names a withdrawn approval. In process."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.support import validated_entry
from timesheets import services
from timesheets.models import Timesheet, TimesheetEvent


@pytest.fixture
def keyed(db) -> Timesheet:
    [result] = services.timesheets_upsert(created_by="import", entries=[validated_entry()])
    assert result.id is not None
    return Timesheet.objects.get(pk=result.id)


def test_the_comment_shows_read_only_in_the_api(keyed):
    services.timesheet_send_back(
        timesheet_id=keyed.pk, comment="Week 24 had a holiday", sent_back_by="user:paula"
    )
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("clerk", "c@abc.example", "x"))
    assert client.get(f"/timesheets/{keyed.pk}").json()["sent_back_comment"] == "Week 24 had a holiday"


def test_sending_back_is_recorded_with_its_comment(keyed):
    services.timesheet_send_back(timesheet_id=keyed.pk, comment="Too many hours", sent_back_by="user:paula")
    event = TimesheetEvent.objects.filter(timesheet_id=keyed.pk).first()
    assert event is not None
    assert (event.action, event.actor) == ("sent_back", "user:paula")
    assert event.changes == {"sent_back_comment": [None, "Too many hours"]}
    assert event.get_action_display() == "Sent back"


def test_the_next_edit_clears_the_comment(keyed):
    services.timesheet_send_back(timesheet_id=keyed.pk, comment="Too many hours", sent_back_by="user:paula")
    services.timesheets_upsert(created_by="import", entries=[validated_entry(hours=Decimal("32.00"))])
    keyed.refresh_from_db()
    assert (keyed.sent_back_comment, keyed.sent_back_by, keyed.sent_back_at) == ("", "", None)


def test_an_admin_edit_clears_the_comment(keyed):
    services.timesheet_send_back(timesheet_id=keyed.pk, comment="Too many hours", sent_back_by="user:paula")
    keyed.refresh_from_db()
    keyed.hours = Decimal("30")
    services.timesheet_save(timesheet=keyed, actor="user:ann")
    keyed.refresh_from_db()
    assert keyed.sent_back_comment == ""


def test_an_approved_entry_is_not_sent_back(keyed):
    services.timesheet_approve(timesheet_id=keyed.pk, approved_by="user:paula")
    with pytest.raises(services.TimesheetApproved):
        services.timesheet_send_back(timesheet_id=keyed.pk, comment="late", sent_back_by="user:paula")


def test_a_send_back_needs_a_comment(keyed):
    with pytest.raises(ValueError, match="comment"):
        services.timesheet_send_back(timesheet_id=keyed.pk, comment="  ", sent_back_by="user:paula")


def test_a_withdrawn_approval_is_named_so(keyed):
    services.timesheet_approve(timesheet_id=keyed.pk, approved_by="user:paula")
    services.timesheet_unapprove(timesheet_id=keyed.pk, unapproved_by="user:paula")
    event = TimesheetEvent.objects.filter(timesheet_id=keyed.pk).first()
    assert event is not None
    assert (event.action, event.get_action_display()) == ("unapproved", "Approval withdrawn")


def test_the_migration_names_withdrawals_recorded_as_updates(db):
    from django.apps import apps

    migration = importlib.import_module("timesheets.migrations.0006_sent_back_and_unapproved")
    withdrawn = TimesheetEvent.objects.create(
        timesheet_id=1, action="updated", actor="user:paula", changes={"approved": [True, False]}
    )
    edited = TimesheetEvent.objects.create(
        timesheet_id=1, action="updated", actor="user:paula", changes={"hours": ["40.00", "32.00"]}
    )
    migration.name_withdrawn_approvals(apps, None)
    withdrawn.refresh_from_db()
    edited.refresh_from_db()
    assert (withdrawn.action, edited.action) == ("unapproved", "updated")
