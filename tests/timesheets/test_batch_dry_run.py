"""POST /timesheets/batch?dry_run=true: would-be results from the write's own path, nothing written."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from timesheets.models import Timesheet, TimesheetEvent


@pytest.fixture
def seeded(app, app_token, entry):
    """Three keyed entries: one to leave, one to edit, one approved."""
    for key in ("same", "edit", "locked"):
        app.post("/timesheets", token=app_token, json=entry(external_id=key))
    locked = Timesheet.objects.get(external_id="locked")
    app.post(f"/timesheets/{locked.pk}/approve", token=app_token)
    return {timesheet.external_id: timesheet.pk for timesheet in Timesheet.objects.all()}


def _state() -> list[tuple]:
    return list(Timesheet.objects.order_by("pk").values_list("pk", "external_id", "hours", "updated_at"))


def test_a_dry_run_answers_each_outcome_and_writes_nothing(app, app_token, entry, seeded):
    before, events = _state(), TimesheetEvent.objects.count()
    batch = [
        entry(external_id="same"),
        entry(external_id="edit", hours=41),
        entry(external_id="locked", hours=41),
        entry(external_id="new"),
        entry(week=54),
    ]
    response = app.post("/timesheets/batch?dry_run=true", token=app_token, json=batch)
    assert response.status_code == 200, response.text
    assert [(item["status"], item["id"]) for item in response.json()] == [
        ("unchanged", seeded["same"]),
        ("updated", seeded["edit"]),
        ("conflict", seeded["locked"]),
        ("created", None),
        ("invalid", None),
    ]
    assert (_state(), TimesheetEvent.objects.count()) == (before, events)


def test_the_same_batch_for_real_answers_what_the_dry_run_said(app, app_token, entry, seeded):
    batch = [entry(external_id="edit", hours=41), entry(external_id="new"), entry(external_id="new", hours=2)]
    preview = app.post("/timesheets/batch?dry_run=true", token=app_token, json=batch).json()
    written = app.post("/timesheets/batch", token=app_token, json=batch).json()
    assert [item["status"] for item in preview] == [item["status"] for item in written]
    assert Timesheet.objects.get(external_id="new").hours == 2


def test_dry_run_false_writes(app, app_token, entry):
    response = app.post("/timesheets/batch?dry_run=false", token=app_token, json=[entry(external_id="x")])
    assert response.json()[0]["status"] == "created"
    assert Timesheet.objects.count() == 1


def test_a_dry_run_value_that_is_not_a_boolean_is_refused(app, app_token, entry):
    response = app.post("/timesheets/batch?dry_run=maybe", token=app_token, json=[entry()])
    assert response.status_code == 400
    assert "dry_run" in response.json()
    assert not Timesheet.objects.exists()


def test_the_schema_documents_dry_run(db):
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    parameters = json.loads(out.getvalue())["paths"]["/timesheets/batch"]["post"]["parameters"]
    [dry_run] = [parameter for parameter in parameters if parameter["name"] == "dry_run"]
    assert (dry_run["in"], dry_run["schema"]["type"]) == ("query", "boolean")
