"""TIMESHEETS_CORS_ORIGINS: a web app on another origin may call the token endpoint and the API."""

from __future__ import annotations

import pytest

ORIGIN = "https://app.abc.example"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]


def preflight(client, path: str, origin: str = ORIGIN):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/timesheets", "/timesheets/batch"])
def test_a_listed_origin_may_call(client, db, cors, path):
    response = preflight(client, path)
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_another_origin_may_not(client, db, cors):
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token", "https://evil.example")


def test_no_origin_is_listed_by_default(client, db):
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token")


def test_the_admin_and_the_sign_in_page_are_never_cors(client, db, cors):
    for path in ("/admin/login/", "/accounts/login/", "/oauth/authorize"):
        assert "Access-Control-Allow-Origin" not in preflight(client, path)


def test_the_token_answer_itself_carries_the_header(client, db, cors):
    response = client.post("/oauth/token", {"grant_type": "client_credentials"}, HTTP_ORIGIN=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == ORIGIN


def test_an_app_on_another_origin_may_read_retry_after_to_wait_out_a_429(client, db, cors):
    response = client.post("/oauth/token", {"grant_type": "client_credentials"}, HTTP_ORIGIN=ORIGIN)
    assert "retry-after" in response["Access-Control-Expose-Headers"].lower()
