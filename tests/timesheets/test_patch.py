"""PATCH /timesheets/{id}: correcting an entry not yet approved, recorded in its history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from issuer.services import api_client_create
from tests.factories import TimesheetFactory
from tests.persons import client_for, client_token
from timesheets.models import Timesheet, TimesheetEvent


@pytest.fixture
def importer(db) -> str:
    """The import job's client id, registered with the embedded issuer."""
    return api_client_create(name="import job", scopes=["create:timesheets"]).client.client_id


def entry(created_by: str, user_id: str = "007", **fields) -> Timesheet:
    values = {"year": 2024, "week": 10, "project": "Atlas", "hours": Decimal("8.00"), **fields}
    return TimesheetFactory.create(user_id=user_id, created_by=created_by, **values)


def as_client(client_id: str):
    return client_for(client_token(client_id, "create:timesheets"))


def test_a_client_corrects_hours_and_project_of_its_own_entry(importer):
    mine = entry(importer)
    response = as_client(importer).patch(
        f"/timesheets/{mine.pk}", {"hours": 7.5, "project": "Zeta"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["hours"], response.json()["project"]) == (7.5, "Zeta")
    mine.refresh_from_db()
    assert (mine.hours, mine.project) == (Decimal("7.50"), "Zeta")


def test_a_correction_is_recorded_in_the_history_with_its_actor(importer):
    mine = entry(importer)
    as_client(importer).patch(f"/timesheets/{mine.pk}/", {"week": 11}, format="json")
    event = TimesheetEvent.objects.get(timesheet_id=mine.pk)
    assert (event.action, event.actor, event.changes) == ("updated", importer, {"week": [10, 11]})


def test_a_correction_that_changes_nothing_records_nothing(importer):
    mine = entry(importer)
    assert as_client(importer).patch(f"/timesheets/{mine.pk}", {"hours": 8}, format="json").status_code == 200
    assert not TimesheetEvent.objects.exists()


def test_an_approved_entry_is_a_409_and_stays(importer):
    mine = entry(importer, approved=True)
    response = as_client(importer).patch(f"/timesheets/{mine.pk}", {"hours": 1}, format="json")
    assert response.status_code == 409
    mine.refresh_from_db()
    assert mine.hours == Decimal("8.00")


def test_another_clients_entry_is_a_404(importer):
    theirs = entry(created_by="someone-else")
    assert (
        as_client(importer).patch(f"/timesheets/{theirs.pk}", {"hours": 1}, format="json").status_code == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"user_id": "008"},
        {"external_id": "other-key"},
        {"approved": True},
        {"hours": 0},
        {"hours": 169},
        {"project": ""},
        {"week": 53},  # 2024 has no week 53
        {"year": 2020, "week": 54},
        ["hours", 1],
    ],
)
def test_what_a_correction_may_not_be_is_a_400(importer, body):
    mine = entry(importer)
    assert as_client(importer).patch(f"/timesheets/{mine.pk}", body, format="json").status_code == 400
    assert not TimesheetEvent.objects.exists()


def test_a_new_year_is_checked_with_the_entrys_week(importer):
    week_53 = entry(importer, year=2020, week=53)
    response = as_client(importer).patch(f"/timesheets/{week_53.pk}", {"year": 2021}, format="json")
    assert response.status_code == 400
    assert "week" in response.json()


def test_it_needs_the_create_scope(importer):
    mine = entry(importer)
    token = client_token(importer, "read:timesheets delete:timesheets")
    response = client_for(token).patch(f"/timesheets/{mine.pk}", {"hours": 1}, format="json")
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["create:timesheets"]


def test_put_is_not_offered(importer):
    mine = entry(importer)
    assert as_client(importer).put(f"/timesheets/{mine.pk}", {"hours": 1}, format="json").status_code == 405


# --- People: their own entries -------------------------------------------------------------


def test_a_person_corrects_their_own_entry_whoever_created_it(as_person, ann, web_app):
    mine = entry(created_by="import-job")
    response = as_person(ann).patch(f"/timesheets/{mine.pk}", {"hours": 6}, format="json")
    assert response.status_code == 200
    actor = TimesheetEvent.objects.get(timesheet_id=mine.pk).actor
    assert actor == f"person:{web_app.client_id}:{ann.subject}"


@pytest.mark.parametrize("person", ["bob", "meg"])
def test_someone_elses_entry_is_a_404_to_a_person(as_person, request, ann, person):
    annes = entry("import-job", user_id=ann.user_id)
    client = as_person(request.getfixturevalue(person))
    assert client.patch(f"/timesheets/{annes.pk}", {"hours": 1}, format="json").status_code == 404


def test_a_persons_approved_entry_is_a_409(as_person, ann):
    mine = entry("import-job", approved=True)
    assert as_person(ann).patch(f"/timesheets/{mine.pk}", {"hours": 1}, format="json").status_code == 409


def test_a_correction_clears_payrolls_sent_back_comment(importer):
    mine = entry(importer, sent_back_comment="Atlas was closed that week", sent_back_by="user:payroll")
    as_client(importer).patch(f"/timesheets/{mine.pk}", {"project": "Zeta"}, format="json")
    mine.refresh_from_db()
    assert (mine.sent_back_comment, mine.sent_back_by, mine.sent_back_at) == ("", "", None)
