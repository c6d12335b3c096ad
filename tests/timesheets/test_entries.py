"""Every rule of an entry (docs/api.md, "An entry"), through POST /timesheets."""

from __future__ import annotations

import pytest

from timesheets.models import Timesheet


def test_week_53_exists_in_2020(api, token, entry):
    assert api.post("/timesheets", token=token, json=entry(year=2020, week=53)).status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user_type", "Intern"),
        ("user_id", ""),
        ("user_id", "x" * 65),
        ("user_id", "tab\there"),
        ("year", "twenty"),
        ("week", 0),
        ("week", 54),
        ("project", ""),
        ("project", "p" * 101),
        ("project", "bell\x07"),
        ("hours", 0),
        ("hours", -1),
        ("hours", 168.01),
        ("hours", 1.005),
        ("hours", "forty"),
        ("hours", True),
        ("external_id", "e" * 201),
    ],
)
def test_a_bad_field_is_refused_with_its_error(api, token, entry, field, value):
    response = api.post("/timesheets", token=token, json=entry(**{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert not Timesheet.objects.exists()


def test_week_53_of_2021_does_not_exist(api, token, entry):
    response = api.post("/timesheets", token=token, json=entry(year=2021, week=53))
    assert response.status_code == 400
    assert response.json() == {"week": ["Week 53 does not exist in ISO year 2021."]}


@pytest.mark.parametrize("field", ["user_type", "user_id", "year", "week", "project", "hours"])
def test_a_missing_field_is_refused(api, token, entry, field):
    body = entry()
    del body[field]
    response = api.post("/timesheets", token=token, json=body)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_fields_are_refused_not_ignored(api, token, entry):
    response = api.post("/timesheets", token=token, json=entry(minutes=30))
    assert response.status_code == 400
    assert response.json() == {"minutes": ["Unknown field."]}


def test_read_only_fields_are_refused(api, token, entry):
    response = api.post("/timesheets", token=token, json=entry(approved=True))
    assert response.status_code == 400
    assert response.json() == {"approved": ["This field is read-only."]}


def test_the_project_is_trimmed_and_hours_keep_two_decimals(api, token, entry):
    body = api.post("/timesheets", token=token, json=entry(project="  Atlas  ", hours=7.25)).json()
    assert (body["project"], body["hours"]) == ("Atlas", 7.25)


def test_168_hours_is_the_most_a_week_holds(api, token, entry):
    assert api.post("/timesheets", token=token, json=entry(hours=168)).status_code == 201


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", "{not json"),
        ("application/json", ""),
        ("application/json", "[" * 100_000),
        ("application/json", '{"hours": NaN}'),
        ("text/plain", "user_type=Employee"),
        ("application/x-www-form-urlencoded", "user_type=Employee"),
    ],
)
def test_a_body_that_is_not_json_is_a_client_error(api, token, content_type, body):
    response = api.post("/timesheets", token=token, data=body, headers={"Content-Type": content_type})
    assert response.status_code in (400, 415)
    assert response.json()  # a reason, in JSON


def test_every_answer_shows_every_field(api, token, entry):
    created = api.post("/timesheets", token=token, json=entry(external_id="ext-1")).json()
    fetched = api.get(f"/timesheets/{created['id']}", token=token).json()
    fields = {"id", "user_type", "user_id", "year", "week", "project", "hours", "external_id", "approved"}
    fields |= {"approved_at", "approved_by", "created_at", "created_by"}
    assert set(fetched) == fields
    assert set(created) == fields | {"message"}
