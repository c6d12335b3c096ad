"""Importing the same thing twice: the (client, external_id) key, single and batch."""

from __future__ import annotations

import concurrent.futures

import pytest

from timesheets.models import Timesheet


def test_the_same_key_and_content_again_is_unchanged(app, app_token, entry):
    first = app.post("/timesheets", token=app_token, json=entry(external_id="x-1"))
    again = app.post("/timesheets", token=app_token, json=entry(external_id="x-1"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message"] == "Timesheet unchanged for Employee: 007"
    assert again.json()["id"] == first.json()["id"]
    assert Timesheet.objects.count() == 1


def test_the_same_key_with_other_content_updates(app, app_token, entry):
    app.post("/timesheets", token=app_token, json=entry(external_id="x-1"))
    response = app.post("/timesheets", token=app_token, json=entry(external_id="x-1", hours=41))
    assert response.status_code == 200
    assert response.json()["hours"] == 41
    assert Timesheet.objects.get().hours == 41


def test_other_content_once_approved_is_a_conflict(app, app_token, entry):
    created = app.post("/timesheets", token=app_token, json=entry(external_id="x-1")).json()
    app.post(f"/timesheets/{created['id']}/approve", token=app_token)
    response = app.post("/timesheets", token=app_token, json=entry(external_id="x-1", hours=41))
    assert response.status_code == 409
    assert Timesheet.objects.get().hours == 40


def test_keys_belong_to_the_calling_client(app, entry):
    app.post("/timesheets", token=app.token(client_id="tool-a"), json=entry(external_id="x-1"))
    response = app.post("/timesheets", token=app.token(client_id="tool-b"), json=entry(external_id="x-1"))
    assert response.status_code == 201
    assert Timesheet.objects.count() == 2


def test_a_batch_reports_each_item_in_order(app, app_token, entry):
    app.post("/timesheets", token=app_token, json=entry(external_id="same"))
    approved = app.post("/timesheets", token=app_token, json=entry(external_id="locked")).json()
    app.post("/timesheets", token=app_token, json=entry(external_id="edit"))
    app.post(f"/timesheets/{approved['id']}/approve", token=app_token)

    batch = [
        entry(external_id="new"),
        entry(external_id="same"),
        entry(external_id="edit", hours=1),
        entry(external_id="locked", hours=1),
        entry(week=54),
    ]
    results = app.post("/timesheets/batch", token=app_token, json=batch).json()

    assert [result["status"] for result in results] == [
        "created",
        "unchanged",
        "updated",
        "conflict",
        "invalid",
    ]
    assert [result["index"] for result in results] == [0, 1, 2, 3, 4]
    assert results[4]["errors"] == {"week": ["Ensure this value is less than or equal to 53."]}
    assert results[4]["id"] is None and results[0]["errors"] is None


def test_a_key_twice_in_one_batch_makes_one_entry(app, app_token, entry):
    results = app.post(
        "/timesheets/batch", token=app_token, json=[entry(external_id="k"), entry(external_id="k", hours=2)]
    ).json()
    assert [result["status"] for result in results] == ["created", "updated"]
    assert Timesheet.objects.get().hours == 2


@pytest.mark.parametrize("body", [[], {"user_id": "007"}, "text", None])
def test_a_batch_that_is_not_a_non_empty_array_is_refused(app, app_token, body):
    response = app.post("/timesheets/batch", token=app_token, json=body)
    assert response.status_code == 400
    assert not Timesheet.objects.exists()


def test_a_batch_of_1001_is_refused_whole(app, app_token, entry):
    response = app.post(
        "/timesheets/batch", token=app_token, json=[entry(user_id=str(n)) for n in range(1001)]
    )
    assert response.status_code == 400
    assert not Timesheet.objects.exists()


def test_a_batch_of_1000_is_accepted(app, app_token, entry):
    response = app.post(
        "/timesheets/batch", token=app_token, json=[entry(user_id=str(n)) for n in range(1000)]
    )
    assert response.status_code == 200
    assert Timesheet.objects.count() == 1000


# Two writers at once need two connections committing for real: these go through the live
# server, whose threads each hold their own.


def test_concurrent_posts_of_one_key_make_one_entry(api, token, entry):
    def post(_):
        return api.post("/timesheets", token=token, json=entry(external_id="race")).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(post, range(8)))

    assert statuses == [200] * 7 + [201]
    assert Timesheet.objects.count() == 1


def test_approve_racing_delete_ends_consistent(api, token, entry, tally):
    for attempt in range(10):
        created = api.post("/timesheets", token=token, json=entry(user_id=f"race-{attempt}")).json()
        path = f"/timesheets/{created['id']}"
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            approve = pool.submit(api.post, path + "/approve", token=token)
            delete = pool.submit(api.delete, path, token=token)
            outcome = (approve.result().status_code, delete.result().status_code)
        exists = Timesheet.objects.filter(pk=created["id"]).exists()
        consistent = outcome in {(200, 409), (404, 204)} and exists == (outcome == (200, 409))
        assert tally("approve racing delete: consistent outcomes", consistent), (outcome, exists)
