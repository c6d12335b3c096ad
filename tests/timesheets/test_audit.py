"""The history of entries: every write through the API recorded, creation included, with its actor."""

from __future__ import annotations

from timesheets.models import Timesheet, TimesheetEvent


def trail(timesheet_id: int) -> list[tuple[str, str]]:
    return list(
        TimesheetEvent.objects.filter(timesheet_id=timesheet_id).order_by("id").values_list("action", "actor")
    )


def test_every_write_through_the_api_is_recorded_with_its_actor(app, entry):
    importer, manager = app.token(client_id="importer"), app.token(client_id="manager")
    created = app.post("/timesheets", token=importer, json=entry(external_id="k")).json()
    app.post("/timesheets", token=importer, json=entry(external_id="k", hours=41))
    app.post("/timesheets", token=importer, json=entry(external_id="k", hours=41))  # unchanged: no event
    app.post(f"/timesheets/{created['id']}/approve", token=manager)
    app.post(f"/timesheets/{created['id']}/approve", token=manager)  # again: no event
    assert trail(created["id"]) == [("created", "importer"), ("updated", "importer"), ("approved", "manager")]
    updated = TimesheetEvent.objects.get(timesheet_id=created["id"], action="updated")
    assert updated.changes == {"hours": ["40.00", "41.00"]}


def test_a_deleted_entry_leaves_its_record(app, entry):
    created = app.post("/timesheets", token=app.token(client_id="importer"), json=entry()).json()
    app.delete(f"/timesheets/{created['id']}", token=app.token(client_id="cleaner"))
    assert not Timesheet.objects.filter(pk=created["id"]).exists()
    [deleted] = TimesheetEvent.objects.filter(timesheet_id=created["id"], action="deleted")
    assert deleted.actor == "cleaner"
    assert deleted.changes["user_id"] == ["007", None] and deleted.changes["hours"] == ["40.00", None]
    assert deleted.changes["created_by"] == ["importer", None]


def test_a_batch_records_its_creations_and_updates(app, entry):
    token = app.token(client_id="importer")
    batch = [entry(user_id="a", external_id="a"), entry(user_id="b", external_id="b")]
    app.post("/timesheets/batch", token=token, json=batch)
    results = app.post("/timesheets/batch", token=token, json=[batch[0], {**batch[1], "hours": 1}]).json()
    assert [trail(result["id"]) for result in results] == [
        [("created", "importer")],
        [("created", "importer"), ("updated", "importer")],
    ]


def test_admin_shows_the_trail_read_only(admin_client, timesheet):
    admin_client.post(
        "/admin/timesheets/timesheet/", {"action": "approve_selected", "_selected_action": [timesheet.pk]}
    )
    response = admin_client.get("/admin/timesheets/timesheetevent/")
    assert response.status_code == 200
    assert [event.action for event in response.context["cl"].result_list] == ["approved"]
    event = TimesheetEvent.objects.get(timesheet_id=timesheet.pk)
    assert admin_client.post(f"/admin/timesheets/timesheetevent/{event.pk}/delete/").status_code == 403


def test_admin_cannot_delete_an_approved_entry(admin_client, timesheet):
    Timesheet.objects.filter(pk=timesheet.pk).update(approved=True)
    response = admin_client.post(f"/admin/timesheets/timesheet/{timesheet.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Timesheet.objects.filter(pk=timesheet.pk).exists()
