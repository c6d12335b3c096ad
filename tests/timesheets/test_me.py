"""GET /me: who the token speaks for, a person or a client, and what it may do."""

from __future__ import annotations

from issuer.services import api_client_create
from tests.persons import client_for, client_token


def test_a_persons_token_shows_the_person_and_their_scopes(as_person, meg):
    response = as_person(meg).get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "kind": "person",
        "username": "meg",
        "name": "meg",
        "email": "meg@abc.example",
        "user_type": "Employee",
        "user_id": "100",
        "role": "manager",
        "scopes": ["approve:timesheets", "create:timesheets", "delete:timesheets", "read:timesheets"],
    }


def test_a_clients_token_shows_the_client_by_its_registered_name(db):
    created = api_client_create(name="Payroll import", scopes=["read:timesheets"])
    client_id = created.client.client_id
    token = client_token(client_id, "read:timesheets")
    assert client_for(token).get("/me/").json() == {
        "kind": "client",
        "client_id": client_id,
        "name": "Payroll import",
        "scopes": ["read:timesheets"],
    }


def test_an_outside_clients_name_is_its_id(local_issuer, db):
    body = client_for(local_issuer.token(azp="cron-job", scope="read:timesheets")).get("/me").json()
    assert (body["kind"], body["client_id"], body["name"]) == ("client", "cron-job", "cron-job")


def test_without_a_token_it_is_a_401_with_the_bearer_challenge(db):
    response = client_for("").get("/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
