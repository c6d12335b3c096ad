"""NUL and other control characters in query parameters and headers: a 400, never a 500.

PostgreSQL refuses NUL in any text, so one reaching a query would be a 500 there; no
entry field can hold a control character, so a filter with one could match nothing.
Tokens with them in a header field or a claim are refused with the 401 of every bad
token (test_hostile_tokens.py).
"""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from timesheets.models import Timesheet

ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

PARAMETERS = ["user_type", "user_id", "year", "week", "project", "approved", "ordering", "page", "cursor"]
CONTROL = ["\x00", "\x01", "\x1b", "\x7f"]


@pytest.mark.parametrize("character", CONTROL, ids=repr)
@pytest.mark.parametrize("parameter", PARAMETERS)
def test_a_control_character_in_a_list_parameter_is_a_400(
    app, app_token, tally, timesheet, parameter, character
):
    response = app.get("/timesheets", token=app_token, params={parameter: f"c-42{character}"})
    refused = response.status_code == 400 and "Control characters" in response.json()["detail"]
    assert tally("control characters in parameters refused", refused), response.text


def test_a_control_character_in_a_parameter_name_is_a_400(app, app_token):
    response = app.get("/timesheets", token=app_token, params={"user_id\x00": "c-42"})
    assert response.status_code == 400


@pytest.mark.parametrize("character", CONTROL, ids=repr)
def test_a_control_character_in_a_header_is_a_400_and_writes_nothing(app, app_token, entry, tally, character):
    response = app.post(
        "/timesheets", token=app_token, json=entry(), headers={"X-Request-Id": f"a{character}b"}
    )
    refused = response.status_code == 400 and not Timesheet.objects.exists()
    assert tally("control characters in headers refused", refused), response.text


def test_a_tab_in_a_header_is_allowed(app, app_token):
    assert app.get("/timesheets", token=app_token, headers={"X-Request-Id": "a\tb"}).status_code == 200


def test_a_nul_in_an_unauthenticated_request_is_a_400_not_a_401_or_500(app):
    assert app.get("/timesheets", params={"project": "\x00"}).status_code == 400


@pytest.mark.parametrize("kid", ["\x00", "key\x00", "\x1b[31m"], ids=repr)
def test_a_control_character_in_the_kid_of_an_embedded_issuer_token_is_a_401(app, entry, tally, kid):
    now = int(time.time())
    claims = {"iss": app.base_url + "/", "sub": "c", "aud": settings.OAUTH_AUDIENCE, "exp": now + 60}
    token = jwt.encode(claims, ATTACKER_KEY, "RS256", headers={"kid": kid})
    response = app.post("/timesheets", token=token, json=entry())
    assert tally("control characters in token headers refused", response.status_code == 401), response.text


@pytest.mark.parametrize("path", ["/timesheets/%00", "/timesheets/1%00/approve", "/admin/%00/"])
def test_a_control_character_in_the_path_is_a_400(app, app_token, path):
    assert app.get(path, token=app_token).status_code == 400
