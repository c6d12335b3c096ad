"""Bodies an attacker or a broken client would send: refused with a 4xx, never a 500, nothing written."""

from __future__ import annotations

import json

import pytest

from timesheets.models import Timesheet

FIVE_MB = json.dumps([{"user_id": "x" * 1000}] * 5000)

HOSTILE = {
    "a 5 MB body": ("/timesheets/batch", "application/json", FIVE_MB),
    "deeply nested arrays": ("/timesheets", "application/json", "[" * 50_000 + "]" * 50_000),
    "deeply nested objects": ("/timesheets", "application/json", '{"a":' * 50_000 + "1" + "}" * 50_000),
    "NaN hours": ("/timesheets", "application/json", '{"hours": NaN}'),
    "invalid UTF-8": ("/timesheets", "application/json", b'{"user_id": "\xff\xfe"}'),
    "XML": ("/timesheets", "application/xml", "<timesheet/>"),
    "a form": ("/timesheets", "application/x-www-form-urlencoded", "user_type=Employee"),
    "multipart": ("/timesheets", "multipart/form-data; boundary=x", "--x--"),
    "no content type": ("/timesheets", "", '{"user_type": "Employee"}'),
    "a batch of 1,001": ("/timesheets/batch", "application/json", json.dumps([{}] * 1001)),
    "a batch that is an object": ("/timesheets/batch", "application/json", "{}"),
    "a string where the entry goes": ("/timesheets", "application/json", '"entry"'),
    "a huge number of hours": ("/timesheets", "application/json", '{"hours": 1e999999}'),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_body_is_refused_and_writes_nothing(app, app_token, tally, case):
    path, content_type, body = HOSTILE[case]
    response = app.post(path, token=app_token, data=body, headers={"Content-Type": content_type})
    refused = response.status_code in (400, 413, 415) and not Timesheet.objects.exists()
    assert tally("hostile bodies refused", refused), response.text


def test_a_body_over_the_limit_is_refused_with_413(app, app_token):
    response = app.post(
        "/timesheets/batch", token=app_token, data=FIVE_MB, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
