"""An import's other content for an approved entry is kept for payroll, who accepts or dismisses it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.weeks import IsoWeek
from timesheets import conflicts, models, services
from timesheets.models import ImportConflict, Timesheet, TimesheetEvent

from ..factories import StaffUserFactory, TimesheetFactory

KEY = "toggl:ann@x.org:2024-W10:Atlas"
CLERK = "user:clerk"


@pytest.fixture
def importer(app):
    """The import's token; its entries are created through the API, as a run creates them."""
    return app.token(client_id="import-north")


@pytest.fixture
def approved(app, importer) -> Timesheet:
    """An imported entry, since approved: 8 h on Atlas in 2024-W10."""
    body = _item(hours="8.00")
    assert app.post("/timesheets", token=importer, json=body).status_code == 201
    timesheet = Timesheet.objects.get(external_id=KEY)
    Timesheet.objects.filter(pk=timesheet.pk).update(approved=True, approved_by="user:payroll")
    return Timesheet.objects.get(pk=timesheet.pk)


def _item(**fields) -> dict:
    return {
        "user_type": "Contractor",
        "user_id": "ann@x.org",
        "year": 2024,
        "week": 10,
        "project": "Atlas",
        "hours": "8.00",
        "external_id": KEY,
    } | fields


def _batch(app, token, items: list[dict], query: str = ""):
    response = app.post(f"/timesheets/batch{query}", token=token, json=items)
    assert response.status_code == 200, response.text
    return [item["status"] for item in response.json()]


def _reconcile(app, token, dry_run: bool = False):
    body = {"prefix": "toggl:", "since": "2024-W10", "until": "2024-W10", "keep": [], "dry_run": dry_run}
    response = app.post("/timesheets/reconcile", token=token, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_conflicting_batch_item_records_one_open_conflict_with_the_proposed_value(app, importer, approved):
    assert _batch(app, importer, [_item(hours="7.50")]) == ["conflict"]
    [conflict] = ImportConflict.objects.all()
    assert (conflict.timesheet_id, conflict.state, conflict.created_by) == (
        approved.pk,
        "open",
        "import-north",
    )
    assert conflict.proposed["hours"] == "7.50"
    assert conflict.proposed["project"] == "Atlas"


def test_the_same_conflict_sent_again_records_no_second_row(app, importer, approved):
    _batch(app, importer, [_item(hours="7.50")])
    first = ImportConflict.objects.get()
    _batch(app, importer, [_item(hours="7.50"), _item(hours="7.50")])
    again = ImportConflict.objects.get()
    assert again.pk == first.pk
    assert again.first_seen == first.first_seen
    assert again.last_seen > first.last_seen


def test_a_single_entrys_conflict_is_recorded_too(app, importer, approved):
    assert app.post("/timesheets", token=importer, json=_item(hours="7.50")).status_code == 409
    assert ImportConflict.objects.get().proposed["hours"] == "7.50"


def test_a_dry_run_records_nothing(app, importer, approved):
    assert _batch(app, importer, [_item(hours="7.50")], "?dry_run=true") == ["conflict"]
    assert _reconcile(app, importer, dry_run=True)["conflicts"]
    assert not ImportConflict.objects.exists()


def test_a_batch_without_conflicts_adds_no_query(app, importer, approved):
    items = [_item(external_id=f"k{n}", week=11) for n in range(3)]
    _batch(app, importer, items)
    with CaptureQueriesContext(connection) as queries:
        assert _batch(app, importer, [*items, _item()]) == ["unchanged"] * 4
    table = ImportConflict._meta.db_table
    assert not [query["sql"] for query in queries.captured_queries if table in query["sql"]]
    assert not ImportConflict.objects.exists()


def test_a_reconcile_conflict_is_recorded_as_a_deletion_proposal(app, importer, approved):
    assert _reconcile(app, importer)["conflicts"] == [{"id": approved.pk, "external_id": KEY}]
    _reconcile(app, importer)
    [conflict] = ImportConflict.objects.all()
    assert (conflict.timesheet_id, conflict.proposed, conflict.is_deletion) == (
        approved.pk,
        {"deleted": True},
        True,
    )


def test_accepting_applies_the_trackers_value_and_records_it_in_the_history(app, importer, approved):
    _batch(app, importer, [_item(hours="7.50", project="Atlas 2")])
    conflicts.conflict_accept(conflict_id=ImportConflict.objects.get().pk, accepted_by=CLERK)
    entry = Timesheet.objects.get(pk=approved.pk)
    assert (entry.hours, entry.project, entry.approved) == (Decimal("7.50"), "Atlas 2", False)
    events = TimesheetEvent.objects.filter(timesheet_id=approved.pk, actor=CLERK).order_by("id")
    assert [(event.action, event.changes.get("hours")) for event in events] == [
        ("unapproved", None),
        ("updated", ["8.00", "7.50"]),
    ]
    assert ImportConflict.objects.get().state == "accepted"


def test_accepting_a_deletion_deletes_the_entry_and_keeps_the_decision(app, importer, approved):
    _reconcile(app, importer)
    conflicts.conflict_accept(conflict_id=ImportConflict.objects.get().pk, accepted_by=CLERK)
    assert not Timesheet.objects.filter(pk=approved.pk).exists()
    assert TimesheetEvent.objects.get(timesheet_id=approved.pk, action="deleted").actor == CLERK
    assert ImportConflict.objects.get().state == "accepted"


def test_dismissing_closes_it_and_leaves_the_entry(app, importer, approved):
    _batch(app, importer, [_item(hours="7.50")])
    conflicts.conflict_dismiss(conflict_id=ImportConflict.objects.get().pk, dismissed_by=CLERK)
    entry = Timesheet.objects.get(pk=approved.pk)
    assert (entry.hours, entry.approved) == (Decimal("8.00"), True)
    assert ImportConflict.objects.get().state == "dismissed"


def test_a_dismissed_proposal_is_not_raised_again_but_another_one_is(app, importer, approved):
    _batch(app, importer, [_item(hours="7.50")])
    conflicts.conflict_dismiss(conflict_id=ImportConflict.objects.get().pk, dismissed_by=CLERK)
    _batch(app, importer, [_item(hours="7.50")])
    assert not ImportConflict.objects.filter(state="open").exists()
    _batch(app, importer, [_item(hours="6.00")])
    assert ImportConflict.objects.get(state="open").proposed["hours"] == "6.00"


def test_the_admin_list_shows_the_approved_and_the_trackers_value(app, importer, approved, client):
    _batch(app, importer, [_item(hours="7.50")])
    client.force_login(StaffUserFactory.create(is_superuser=True))
    page = client.get("/admin/timesheets/importconflict/").content.decode()
    assert "8.00 h" in page and "7.50 h" in page


def test_the_admin_accepts_with_the_approve_permission_only(app, importer, approved, client):
    _batch(app, importer, [_item(hours="7.50")])
    conflict = ImportConflict.objects.get()
    form = {"action": "accept_selected", "_selected_action": [conflict.pk]}
    client.force_login(StaffUserFactory.create(permissions=["view_importconflict"]))
    client.post("/admin/timesheets/importconflict/", form)
    assert ImportConflict.objects.get().state == "open"
    client.force_login(StaffUserFactory.create(permissions=["view_importconflict", "approve_timesheet"]))
    client.post("/admin/timesheets/importconflict/", form)
    assert Timesheet.objects.get(pk=approved.pk).hours == Decimal("7.50")


def test_more_conflicts_than_one_statement_takes_are_recorded_in_chunks(monkeypatch, db):
    monkeypatch.setattr(models, "max_params", lambda connection: 14)  # two rows a statement
    entries = [TimesheetFactory.create(approved=True, week=week) for week in (1, 2, 3)]
    ImportConflict.objects.record("import-north", [(entry.pk, {"deleted": True}) for entry in entries])
    assert ImportConflict.objects.count() == 3


@pytest.mark.parametrize("actor", ["person:timesheets-web:auth0|ann", "user:ann"])
def test_a_person_or_staff_user_sending_other_content_records_no_conflict(db, actor):
    TimesheetFactory.create(created_by=actor, external_id=KEY, approved=True, hours=Decimal("8.00"))
    entry = _item(hours=Decimal("80.00"))
    [result] = services.timesheets_upsert(created_by=actor, entries=[entry])
    assert result.outcome is services.Outcome.CONFLICT
    assert not ImportConflict.objects.exists()


@pytest.mark.parametrize("actor", ["person:timesheets-web:auth0|ann", "user:ann"])
def test_a_person_or_staff_users_reconcile_records_no_conflict(db, actor):
    TimesheetFactory.create(created_by=actor, external_id=KEY, approved=True, year=2024, week=10)
    week = IsoWeek(2024, 10)
    result = services.timesheets_reconcile(
        created_by=actor,
        prefix="toggl:",
        first_week=week,
        last_week=week,
        keep=[],
        persons=None,
        dry_run=False,
    )
    assert result.conflicts
    assert not ImportConflict.objects.exists()
