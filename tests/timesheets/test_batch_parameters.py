"""POST /timesheets/batch: a misspelt, unknown or repeated query parameter is a 400, nothing written."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from timesheets.authentication import TokenPrincipal
from timesheets.models import Timesheet

ENTRY = {"user_type": "Employee", "user_id": "007", "year": 2024, "week": 10, "project": "Atlas", "hours": 8}


@pytest.fixture
def caller(db) -> APIClient:
    api = APIClient()
    principal = TokenPrincipal(
        subject="cron", client_id="cron", scopes=frozenset({"create:timesheets"}), claims={}
    )
    api.force_authenticate(user=principal)  # type: ignore[arg-type]  # DRF takes any user object
    return api


def batch(caller: APIClient, query: str):
    return caller.post("/timesheets/batch" + query, [ENTRY], format="json")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("?dry-run=true", "dry-run"),
        ("?DRY_RUN=true", "DRY_RUN"),
        ("?dryrun=true", "dryrun"),
        ("?dry_run=true&dry_run=false", "dry_run"),
        ("?dry_run=yes", "dry_run"),
        ("?dry_run=1", "dry_run"),
    ],
)
def test_a_misspelt_repeated_or_odd_dry_run_is_a_400_naming_it_and_writes_nothing(caller, query, named):
    response = batch(caller, query)
    assert (response.status_code, list(response.json())) == (400, [named])
    assert not Timesheet.objects.exists()


def test_dry_run_true_writes_nothing(caller):
    response = batch(caller, "?dry_run=true")
    assert (response.status_code, response.json()[0]["status"]) == (200, "created")
    assert not Timesheet.objects.exists()


@pytest.mark.parametrize("query", ["", "?dry_run=false"])
def test_without_dry_run_or_false_it_writes(caller, query):
    assert batch(caller, query).status_code == 200
    assert Timesheet.objects.count() == 1


def test_a_misspelt_dry_run_is_named_with_the_closest_known_parameter(caller):
    response = batch(caller, "?dry-run=true")
    assert response.json() == {"dry-run": ["unknown query parameter `dry-run`; did you mean `dry_run`?"]}


def test_dry_run_is_read_like_every_boolean_parameter_in_any_case(caller):
    assert batch(caller, "?dry_run=True").status_code == 200
    assert not Timesheet.objects.exists()
