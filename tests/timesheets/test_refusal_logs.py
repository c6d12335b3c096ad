"""A refused token's log line says what was expected and what came, never the token itself."""

from __future__ import annotations

import logging
import time

import pytest

from common.scopes import SCOPES
from timesheets.views import TimesheetViewSet

LOGGER = "timesheets.authentication"


def refusal_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_a_wrong_issuer_logs_the_expected_and_the_received_issuer(app, local_issuer, caplog):
    token = local_issuer.token(iss="https://other-tenant.eu.auth0.com/")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert app.get("/timesheets", token=token).status_code == 401
    [line] = refusal_lines(caplog)
    assert f"expected '{local_issuer.url}'" in line
    assert "received 'https://other-tenant.eu.auth0.com/'" in line
    assert token not in caplog.text


def test_a_wrong_audience_logs_the_expected_and_the_received_audience(app, local_issuer, settings, caplog):
    token = local_issuer.token(aud=["https://payroll.abc.example/api"])
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert app.get("/timesheets", token=token).status_code == 401
    [line] = refusal_lines(caplog)
    assert f"expected '{settings.OAUTH_AUDIENCE}'" in line
    assert "received ['https://payroll.abc.example/api']" in line
    assert token not in caplog.text


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_time_claim_given_as_a_string_is_logged_as_such(app, local_issuer, caplog, claim):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        token = local_issuer.token(**{claim: str(int(time.time()) + (600 if claim == "exp" else -60))})
        assert app.get("/timesheets", token=token).status_code == 401
    assert refusal_lines(caplog) == [f"Refused a bearer token: {claim} is not a number"]


def test_the_scopes_the_api_requires_are_the_scopes_the_issuer_offers():
    required = {scope for scopes in TimesheetViewSet.required_scopes.values() for scope in scopes}
    assert required == set(SCOPES)
