"""/accounts/login/: the people's own sign-in page, locked out like the admin's."""

from __future__ import annotations

import pytest

from .signin import PASSWORD, make_person


@pytest.fixture
def ann(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    return make_person("ann")


def sign_in(client, password: str, address: str = "10.0.0.9", path: str = "/accounts/login/"):
    return client.post(path, {"username": "ann", "password": password}, REMOTE_ADDR=address)


def test_a_person_who_is_not_staff_signs_in(client, ann):
    assert client.get("/accounts/login").status_code == 200
    response = sign_in(client, PASSWORD, path="/accounts/login")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ann.account.pk)


def test_the_page_is_its_own_not_the_admins(client, ann):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in to Timesheets" in page
    assert "Django administration" not in page


def test_after_repeated_failures_even_the_right_password_is_refused(client, ann):
    for guess in range(3):
        sign_in(client, f"guess {guess}")
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, ann):
    sign_in(client, PASSWORD)
    assert client.post("/accounts/logout/").status_code == 200
    assert "_auth_user_id" not in client.session
