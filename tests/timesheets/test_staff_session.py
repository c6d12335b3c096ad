"""The browsable API for staff: a Django session whose scopes come from model permissions."""

from __future__ import annotations

import pytest

from tests.factories import PASSPHRASE, StaffUserFactory, UserFactory


def log_in(app, username: str) -> None:
    """Through the browsable API's login form, with its CSRF token, as a browser signs in."""
    app.get("/api-auth/login/")
    app.post(
        "/api-auth/login/",
        data={"username": username, "password": PASSPHRASE},
        headers={"X-CSRFToken": app.csrf_token()},
    )


@pytest.fixture
def staff_session(app):
    def login(*codenames: str) -> None:
        log_in(app, StaffUserFactory.create(username="reviewer", permissions=codenames).username)

    return login


def test_a_staff_user_with_view_permission_browses_the_list(app, staff_session, timesheet):
    staff_session("view_timesheet")
    response = app.get("/timesheets", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "c-42" in response.text


def test_a_staff_user_without_delete_permission_cannot_delete(app, staff_session, timesheet):
    staff_session("view_timesheet")
    response = app.delete(f"/timesheets/{timesheet.pk}", headers={"X-CSRFToken": app.csrf_token()})
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["delete:timesheets"]


def test_a_staff_user_approves_with_the_approve_permission(app, staff_session, timesheet):
    staff_session("view_timesheet", "approve_timesheet")
    response = app.post(f"/timesheets/{timesheet.pk}/approve", headers={"X-CSRFToken": app.csrf_token()})
    assert response.status_code == 200
    assert response.json()["approved_by"] == "user:reviewer"


def test_a_user_who_is_not_staff_gets_no_scopes(app, timesheet):
    log_in(app, UserFactory.create(username="visitor").username)
    assert app.get("/timesheets").status_code == 403


def test_get_on_the_batch_endpoint_is_405_with_a_form_to_post(app, staff_session):
    staff_session("view_timesheet", "add_timesheet")
    response = app.get("/timesheets/batch", headers={"Accept": "text/html"})
    assert response.status_code == 405
    assert 'id="post-generic-content-form"' in response.text
