"""POST /timesheets/reconcile: an import removes the entries its tracker no longer holds."""

from __future__ import annotations

import pytest

from timesheets.models import Timesheet, TimesheetEvent

from ..factories import TimesheetFactory

CLIENT = "import-north"


def keyed(key: str, created_by: str = CLIENT, approved: bool = False) -> Timesheet:
    """An entry as a tracker import creates it: its week is the key's."""
    _, person, week, project = key.split(":")
    year, number = week.split("-W")
    return TimesheetFactory.create(
        user_type="Contractor",
        user_id=person,
        year=int(year),
        week=int(number),
        project=project,
        hours=8,
        external_id=key,
        created_by=created_by,
        approved=approved,
    )


@pytest.fixture
def reconcile(app):
    def post(body: dict, azp: str = CLIENT, scope: str = "create:timesheets"):
        window = {"prefix": "toggl:", "since": "2024-W10", "until": "2024-W11", "keep": []}
        return app.post(
            "/timesheets/reconcile", token=app.token(client_id=azp, scope=scope), json=window | body
        )

    return post


def test_it_deletes_the_callers_keys_of_the_window_that_are_not_kept(reconcile):
    kept = keyed("toggl:ann@x.org:2024-W10:Atlas")
    gone = keyed("toggl:ann@x.org:2024-W11:Atlas")
    outside = keyed("toggl:ann@x.org:2024-W12:Atlas")
    other_tool = keyed("harvest:Ann:2024-W11:Atlas")
    response = reconcile({"keep": [kept.external_id]})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "deleted": [{"id": gone.pk, "external_id": gone.external_id}],
        "conflicts": [],
        "dry_run": False,
    }
    assert set(Timesheet.objects.values_list("pk", flat=True)) == {kept.pk, outside.pk, other_tool.pk}
    assert TimesheetEvent.objects.get(timesheet_id=gone.pk).action == "deleted"


def test_an_approved_entry_stays_and_is_answered_as_a_conflict(reconcile):
    approved = keyed("toggl:ann@x.org:2024-W10:Atlas", approved=True)
    response = reconcile({})
    assert response.json()["conflicts"] == [{"id": approved.pk, "external_id": approved.external_id}]
    assert Timesheet.objects.filter(pk=approved.pk).exists()


def test_another_clients_entries_are_never_touched(reconcile):
    theirs = keyed("toggl:ann@x.org:2024-W10:Atlas", created_by="import-south")
    assert reconcile({}).json()["deleted"] == []
    assert Timesheet.objects.filter(pk=theirs.pk).exists()


def test_persons_narrow_the_deletions_to_the_people_the_account_knows(reconcile):
    known = keyed("toggl:Ann@X.org:2024-W10:Atlas")
    stranger = keyed("toggl:zed@y.org:2024-W10:Atlas")
    response = reconcile({"persons": ["ann@x.org"]})
    assert response.json()["deleted"] == [{"id": known.pk, "external_id": known.external_id}]
    assert Timesheet.objects.filter(pk=stranger.pk).exists()


def test_a_dry_run_answers_and_deletes_nothing(reconcile):
    entry = keyed("toggl:ann@x.org:2024-W10:Atlas")
    response = reconcile({"dry_run": True})
    assert [item["id"] for item in response.json()["deleted"]] == [entry.pk]
    assert Timesheet.objects.filter(pk=entry.pk).exists()


def test_it_needs_the_create_scope_and_no_other(reconcile):
    keyed("toggl:ann@x.org:2024-W10:Atlas")
    refused = reconcile({}, scope="read:timesheets delete:timesheets")
    assert refused.status_code == 403
    assert refused.json()["required_scopes"] == ["create:timesheets"]
    assert Timesheet.objects.count() == 1
    assert reconcile({}, scope="create:timesheets").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"since": "2024-W12", "until": "2024-W10"},
        {"since": "2021-W53"},
        {"prefix": "toggl"},
        {"keep": "toggl:a:2024-W10:b"},
        {"window": "2024"},
    ],
)
def test_a_bad_request_is_a_400_and_deletes_nothing(reconcile, body):
    keyed("toggl:ann@x.org:2024-W10:Atlas")
    assert reconcile(body).status_code == 400
    assert Timesheet.objects.count() == 1


def test_the_schema_documents_it_under_the_create_scope(app):
    operation = app.get("/api/schema/?format=json").json()["paths"]["/timesheets/reconcile"]["post"]
    assert {"oauth2": ["create:timesheets"]} in operation["security"]
    assert "approved" in operation["description"]
