"""People in the admin: listed with their identity and role; role and "active" edited in place."""

from __future__ import annotations

import pytest

from issuer.models import ApiClient

from .signin import make_app, make_person


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="x"))
    return client


def test_the_list_shows_who_they_are(admin_client):
    make_person("ann")
    page = admin_client.get("/admin/people/person/").content.decode()
    for text in ("ann", "Ann Smith", "Employee", "007", "employee"):
        assert text in page


def test_search_finds_a_person_by_name(admin_client):
    make_person("ann")
    make_person("bob", user_id="008")
    page = admin_client.get("/admin/people/person/?q=bob").content.decode()
    assert "1 result" in page


def test_role_and_active_are_edited_on_the_person(admin_client):
    person = make_person("ann")
    form = {"account": person.account.pk, "user_type": "Employee", "user_id": "007", "role": "manager"}
    form |= {"subject": person.subject}

    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", form)  # "active" unticked

    assert response.status_code == 302
    person.refresh_from_db()
    person.account.refresh_from_db()
    assert person.role == "manager"
    assert not person.account.is_active


def test_the_subject_is_set_in_the_admin_for_an_outside_issuer(admin_client):
    person = make_person("ann")
    form = {"account": person.account.pk, "user_type": "Employee", "user_id": "007", "role": "employee"}
    form |= {"is_active": "on", "subject": "auth0|64f1c2"}

    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", form)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.subject == "auth0|64f1c2"


@pytest.mark.parametrize(("field", "value"), [("user_id", "0\t7"), ("subject", "auth0|a\tb")])
def test_an_identity_an_entry_or_a_token_could_not_carry_is_refused(admin_client, field, value):
    person = make_person("ann")
    form = {"account": person.account.pk, "user_type": "Employee", "user_id": "007", "role": "employee"}
    form |= {"is_active": "on", "subject": person.subject, field: value}

    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", form)

    assert response.status_code == 200  # the form again, with the error
    person.refresh_from_db()
    assert getattr(person, field) != value


def test_an_apps_redirect_uris_are_edited_and_checked(admin_client):
    app = ApiClient.objects.get(client_id=make_app())
    url = f"/admin/issuer/apiclient/{app.pk}/change/"
    form = {"name": app.name, "is_active": "on", "redirect_uris": "javascript:alert(1)"}
    form |= {"grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0"}

    response = admin_client.post(url, form)

    assert response.status_code == 200  # the form again, with the reason
    assert "private-use scheme" in response.content.decode()
    app.refresh_from_db()
    assert app.redirect_uris == "https://app.example/callback"
