"""What a person's token may do, row by row of docs/people-and-apps.md ("The API and people")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import TimesheetFactory
from tests.persons import client_for, make_app, person_token
from tests.support import SAMPLE_ENTRY
from timesheets.creators import creator_names
from timesheets.models import Timesheet, TimesheetEvent


def entry_of(person, **fields) -> Timesheet:
    values = {
        "year": 2024,
        "week": 10,
        "project": "Atlas",
        "hours": Decimal("8.00"),
        "created_by": "importer",
    }
    return TimesheetFactory.create(user_type=person.user_type, user_id=person.user_id, **values | fields)


def own(**fields):
    """An entry as a person's app sends it: whose it is left out."""
    body = {name: value for name, value in SAMPLE_ENTRY.items() if name not in ("user_type", "user_id")}
    return {**body, **fields}


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- Reading: own entries for an employee, everyone's for a manager -----------------------


def test_an_employee_lists_only_their_own_entries(as_person, ann, bob):
    mine, _ = entry_of(ann), entry_of(bob)
    assert ids(as_person(ann).get("/timesheets")) == {mine.pk}


def test_an_employee_walks_only_their_own_entries_by_cursor(as_person, ann, bob):
    mine, _ = entry_of(ann), entry_of(bob)
    assert ids(as_person(ann).get("/timesheets?cursor=")) == {mine.pk}


def test_an_employee_exports_only_their_own_entries(as_person, ann, bob):
    entry_of(ann, project="Mine")
    entry_of(bob, project="Theirs")
    body = b"".join(as_person(ann).get("/timesheets/export").streaming_content).decode()
    assert "Mine" in body and "Theirs" not in body


def test_an_employee_filtering_for_someone_else_finds_nothing(as_person, ann, bob):
    entry_of(bob)
    assert as_person(ann).get("/timesheets", {"user_id": bob.user_id}).json()["count"] == 0


def test_another_persons_entry_is_a_404_to_an_employee(as_person, ann, bob):
    theirs = entry_of(bob)
    client = as_person(ann)
    assert client.get(f"/timesheets/{theirs.pk}").status_code == 404
    assert client.delete(f"/timesheets/{theirs.pk}").status_code == 404
    assert client.patch(f"/timesheets/{theirs.pk}", {"hours": 1}, format="json").status_code == 404


def test_a_manager_reads_everyones_entries(as_person, meg, ann, bob):
    entries = {entry_of(ann).pk, entry_of(bob).pk}
    client = as_person(meg)
    assert ids(client.get("/timesheets")) == entries
    assert all(client.get(f"/timesheets/{pk}").status_code == 200 for pk in entries)


# --- Creating: own entries only ---------------------------------------------------------


def test_a_person_creates_an_entry_that_is_theirs_without_naming_them(as_person, ann):
    response = as_person(ann).post("/timesheets", own(), format="json")
    assert response.status_code == 201
    assert (response.json()["user_type"], response.json()["user_id"]) == ("Employee", "007")


def test_a_person_may_name_themselves(as_person, ann):
    response = as_person(ann).post("/timesheets", {**SAMPLE_ENTRY, "user_id": "007"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("person", ["ann", "meg"])
def test_naming_someone_else_is_a_403_and_writes_nothing(as_person, request, person):
    response = as_person(request.getfixturevalue(person)).post(
        "/timesheets", own(user_id="999"), format="json"
    )
    assert response.status_code == 403
    assert "own entries" in response.json()["detail"]
    assert not Timesheet.objects.exists()


def test_in_a_batch_an_item_for_someone_else_is_invalid_with_the_reason(as_person, ann):
    response = as_person(ann).post("/timesheets/batch", [own(), own(user_id="999")], format="json")
    first, second = response.json()
    assert first["status"] == "created"
    assert second["status"] == "invalid"
    assert "own entries" in second["errors"]["non_field_errors"][0]
    assert Timesheet.objects.get().user_id == "007"


def test_a_write_is_recorded_as_the_person_via_the_app(as_person, ann, web_app):
    created = as_person(ann).post("/timesheets", own(), format="json").json()
    actor = f"person:{web_app.client_id}:{ann.subject}"
    assert created["created_by"] == actor
    assert TimesheetEvent.objects.get(timesheet_id=created["id"]).actor == actor
    assert creator_names([actor]) == {actor: "ann via Timesheets web"}


# --- Keys: per (app, person) ------------------------------------------------------------


def test_two_people_with_the_same_key_never_share_an_entry(as_person, ann, bob):
    first = as_person(ann).post("/timesheets", own(external_id="phone-1"), format="json")
    second = as_person(bob).post("/timesheets", own(external_id="phone-1", hours=2), format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert Timesheet.objects.count() == 2


def test_one_person_with_the_same_key_in_two_apps_has_two_entries(as_person, ann):
    phone = make_app("Timesheets phone")
    as_person(ann).post("/timesheets", own(external_id="k-1"), format="json")
    response = client_for(person_token(ann, phone)).post("/timesheets", own(external_id="k-1"), format="json")
    assert response.status_code == 201
    assert Timesheet.objects.count() == 2


def test_the_same_key_again_from_the_same_person_and_app_updates(as_person, ann):
    client = as_person(ann)
    client.post("/timesheets", own(external_id="k-1"), format="json")
    response = client.post("/timesheets", own(external_id="k-1", hours=3), format="json")
    assert response.status_code == 200
    assert Timesheet.objects.get().hours == 3


# --- Deleting: own entries, while not approved ------------------------------------------


@pytest.mark.parametrize("person", ["ann", "meg"])
def test_a_person_deletes_their_own_unapproved_entry(as_person, request, person):
    mine = entry_of(request.getfixturevalue(person))
    assert as_person(request.getfixturevalue(person)).delete(f"/timesheets/{mine.pk}").status_code == 204
    assert not Timesheet.objects.exists()


def test_a_person_cannot_delete_their_own_approved_entry(as_person, ann):
    mine = entry_of(ann, approved=True)
    assert as_person(ann).delete(f"/timesheets/{mine.pk}").status_code == 409


def test_a_manager_cannot_delete_someone_elses_entry(as_person, meg, ann):
    theirs = entry_of(ann)
    assert as_person(meg).delete(f"/timesheets/{theirs.pk}").status_code == 404
    assert Timesheet.objects.filter(pk=theirs.pk).exists()


# --- Approving: a manager, anyone's but their own ---------------------------------------


def test_an_employee_may_not_approve(as_person, ann, bob):
    response = as_person(ann).post(f"/timesheets/{entry_of(ann).pk}/approve")
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["approve:timesheets"]


def test_a_manager_approves_someone_elses_entry_recorded_as_them_via_the_app(as_person, meg, ann, web_app):
    response = as_person(meg).post(f"/timesheets/{entry_of(ann).pk}/approve")
    assert response.status_code == 200
    assert response.json()["approved_by"] == f"person:{web_app.client_id}:{meg.subject}"


def test_a_manager_never_approves_their_own_entry(as_person, meg):
    mine = entry_of(meg)
    response = as_person(meg).post(f"/timesheets/{mine.pk}/approve")
    assert response.status_code == 403
    assert response.json() == {"detail": "An entry is approved by someone else."}
    assert not Timesheet.objects.get().approved


# --- Reconciling is the importer's ------------------------------------------------------


def test_a_persons_token_may_not_reconcile(as_person, ann, web_app):
    # Written by the person's own token, so reconciling would otherwise remove it.
    actor = f"person:{web_app.client_id}:{ann.subject}"
    entry_of(ann, external_id="toggl:ann:2024-W10:Atlas", created_by=actor)
    body = {"prefix": "toggl:", "since": "2024-W10", "until": "2024-W10", "keep": []}
    response = as_person(ann).post("/timesheets/reconcile", body, format="json")
    assert response.status_code == 403
    assert Timesheet.objects.exists()
