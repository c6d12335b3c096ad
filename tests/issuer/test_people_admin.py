"""People in the admin: listed with their identity and role; role and "active" edited in place."""

from __future__ import annotations

import pytest

from .signin import make_person


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

    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", form)  # "active" unticked

    assert response.status_code == 302
    person.refresh_from_db()
    person.account.refresh_from_db()
    assert person.role == "manager"
    assert not person.account.is_active
