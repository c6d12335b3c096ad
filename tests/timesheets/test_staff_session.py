"""The browsable API for staff: a Django session whose scopes come from model permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User


@pytest.fixture
def staff_session(api, django_user_model):
    def login(*codenames: str) -> None:
        user = django_user_model.objects.create_user("reviewer", password="a long passphrase", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        api.session.get(api.base_url + "/api-auth/login/")
        api.session.post(
            api.base_url + "/api-auth/login/",
            data={"username": "reviewer", "password": "a long passphrase"},
            headers={"X-CSRFToken": api.session.cookies["csrftoken"]},
        )

    return login


def test_a_staff_user_with_view_permission_browses_the_list(api, staff_session, timesheet):
    staff_session("view_timesheet")
    response = api.get("/timesheets", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "c-42" in response.text


def test_a_staff_user_without_delete_permission_cannot_delete(api, staff_session, timesheet):
    staff_session("view_timesheet")
    response = api.delete(
        f"/timesheets/{timesheet.pk}", headers={"X-CSRFToken": api.session.cookies["csrftoken"]}
    )
    assert response.status_code == 403
    assert response.json()["required_scopes"] == ["delete:timesheets"]


def test_a_staff_user_approves_with_the_approve_permission(api, staff_session, timesheet):
    staff_session("view_timesheet", "approve_timesheet")
    response = api.post(
        f"/timesheets/{timesheet.pk}/approve", headers={"X-CSRFToken": api.session.cookies["csrftoken"]}
    )
    assert response.status_code == 200
    assert response.json()["approved_by"] == "user:reviewer"


def test_a_user_who_is_not_staff_gets_no_scopes(api, django_user_model, timesheet):
    User.objects.create_user("visitor", password="a long passphrase")
    api.session.get(api.base_url + "/api-auth/login/")
    api.session.post(
        api.base_url + "/api-auth/login/",
        data={"username": "visitor", "password": "a long passphrase"},
        headers={"X-CSRFToken": api.session.cookies["csrftoken"]},
    )
    assert api.get("/timesheets").status_code == 403


def test_get_on_the_batch_endpoint_is_405_with_a_form_to_post(api, staff_session):
    staff_session("view_timesheet", "add_timesheet")
    response = api.get("/timesheets/batch", headers={"Accept": "text/html"})
    assert response.status_code == 405
    assert 'id="post-generic-content-form"' in response.text
