"""Telling a person's token from a client's, and finding its person: embedded issuer and Auth0 alike."""

from __future__ import annotations

import time

import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TimesheetFactory
from tests.persons import client_for, make_app, person_token
from tests.support import SAMPLE_ENTRY

UNKNOWN = {"detail": "Unknown person"}


def test_a_token_for_nobody_the_api_knows_is_a_403(web_app, ann):
    response = client_for(person_token(ann, web_app, sub="person|nobody")).get("/timesheets")
    assert response.status_code == 403
    assert response.json() == UNKNOWN


def test_a_person_switched_off_is_refused_once_the_cached_answer_expires(as_person, ann, settings):
    client = as_person(ann)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert client.get("/timesheets").status_code == 200
        get_user_model().objects.filter(pk=ann.account_id).update(is_active=False)
        assert client.get("/timesheets").status_code == 200  # the answer of a moment ago
        clock.shift(settings.OAUTH_PERSON_STATUS_CACHE_SECONDS + 1)
        response = client.get("/timesheets")
    assert response.status_code == 403
    assert response.json() == UNKNOWN


def test_a_person_switched_off_in_the_admin_is_refused_at_once(as_person, ann):
    client = as_person(ann)
    assert client.get("/timesheets").status_code == 200
    ann.account.is_active = False
    ann.account.save()  # as the admin's form saves it
    assert client.get("/timesheets").json() == UNKNOWN


def test_a_new_role_counts_at_once(as_person, ann):
    client = as_person(ann)
    assert client.get("/me").json()["role"] == "employee"
    ann.role = "manager"
    ann.save()
    assert client.get("/me").json()["role"] == "manager"


def test_a_sign_in_leaves_the_cached_answer_alone(as_person, ann):
    client = as_person(ann)
    client.get("/timesheets")
    ann.account.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as requests:
        client.get("/timesheets")
    assert not [q for q in requests.captured_queries if "people_person" in q["sql"]]


def test_a_persons_lookup_is_one_query_every_few_seconds(as_person, ann):
    client = as_person(ann)
    with CaptureQueriesContext(connection) as first:
        client.get("/timesheets")
    with CaptureQueriesContext(connection) as second:
        client.get("/timesheets")
    lookups = [[q for q in run.captured_queries if "people_person" in q["sql"]] for run in (first, second)]
    assert [len(queries) for queries in lookups] == [1, 0]


def test_a_persons_token_without_an_app_is_refused(web_app, ann):
    token = person_token(ann, web_app, client_id=None, azp=None)
    assert client_for(token).get("/timesheets").status_code == 401


def test_a_token_of_a_disabled_app_is_refused(web_app, ann):
    web_app.is_active = False
    web_app.save()
    assert client_for(person_token(ann, web_app)).get("/timesheets").status_code == 401


def test_the_role_bounds_what_the_token_carries(web_app, ann):
    token = person_token(ann, web_app, scope="read:timesheets approve:timesheets")
    assert client_for(token).get("/me").json()["scopes"] == ["read:timesheets"]


# --- An outside issuer (Auth0): sub auth0|…, azp, RBAC permissions ---------------------


def auth0_person_token(issuer, sub: str = "auth0|64f1c0ffee", **claims: object) -> str:
    """An Auth0 access token for a person: no gty, and the permissions RBAC adds."""
    return issuer.token(
        sub=sub,
        azp="SpaClientId123",
        gty=None,
        scope="openid profile",
        permissions=["read:timesheets", "create:timesheets"],
        **claims,
    )


def test_an_auth0_token_acts_for_the_person_with_that_subject(local_issuer, ann, bob, db):
    ann.subject = "auth0|64f1c0ffee"
    ann.save()
    TimesheetFactory.create(user_id=bob.user_id)
    client = client_for(auth0_person_token(local_issuer))
    created = client.post("/timesheets", {**SAMPLE_ENTRY, "user_id": "007"}, format="json").json()
    assert created["created_by"] == "person:SpaClientId123:auth0|64f1c0ffee"
    assert [row["user_id"] for row in client.get("/timesheets").json()["results"]] == ["007"]


def test_an_auth0_token_for_a_subject_nobody_has_is_a_403(local_issuer, db):
    response = client_for(auth0_person_token(local_issuer)).get("/timesheets")
    assert response.status_code == 403
    assert response.json() == UNKNOWN


def test_with_a_person_claim_the_person_is_found_by_user_id(local_issuer, ann, settings):
    settings.OAUTH_PERSON_CLAIM = "https://timesheets.abc.example/user_id"
    token = auth0_person_token(local_issuer, **{"https://timesheets.abc.example/user_id": "007"})
    me = client_for(token).get("/me").json()
    assert (me["kind"], me["username"]) == ("person", "ann")


def test_with_a_person_claim_a_token_without_it_is_a_403(local_issuer, ann, settings):
    settings.OAUTH_PERSON_CLAIM = "https://timesheets.abc.example/user_id"
    ann.subject = "auth0|64f1c0ffee"
    ann.save()
    response = client_for(auth0_person_token(local_issuer)).get("/timesheets")
    assert response.json() == UNKNOWN


# --- A client's own token stays a client's ------------------------------------------------


def test_an_auth0_client_credentials_token_without_gty_is_a_clients(local_issuer, db):
    token = local_issuer.token(gty=None)  # sub outside-client@clients, azp outside-client
    assert client_for(token).get("/me").json()["kind"] == "client"


def test_a_token_whose_sub_is_its_client_id_is_a_clients(local_issuer, db):
    token = local_issuer.token(gty=None, sub="cron-job", azp="cron-job")
    assert client_for(token).get("/me").json()["kind"] == "client"


# --- Throttling: a person counts on their own, across their apps --------------------------


def test_a_person_is_throttled_across_their_apps_and_alone(web_app, ann, bob, settings):
    settings.TIMESHEETS_THROTTLE_RATE = "2/min"
    phone = make_app("Timesheets phone")
    statuses = [client_for(person_token(ann, app)).get("/me").status_code for app in (web_app, phone, phone)]
    assert statuses == [200, 200, 429]
    assert client_for(person_token(bob, web_app)).get("/me").status_code == 200


def test_a_client_id_that_is_not_a_string_beside_a_valid_azp_is_no_500(local_issuer, db):
    token = local_issuer.token(gty=None, sub="someone", azp="SpaClientId123", client_id={"x": 1})
    assert client_for(token).get("/timesheets").status_code == 403


def test_an_okta_client_credentials_token_is_a_clients(local_issuer, db):
    # Okta names the app `cid`, and a client's own token has its client id as `sub`.
    token = local_issuer.token(gty=None, sub="0oa1okta", azp=None, client_id=None, cid="0oa1okta")
    answer = client_for(token).get("/me").json()
    assert (answer["kind"], answer["client_id"]) == ("client", "0oa1okta")


def test_a_keycloak_service_account_token_is_a_clients(local_issuer, db):
    # Keycloak's service account has a user id as `sub`, named service-account-<client>.
    claims = {"sub": "f1c6a0b2-user-id", "azp": "cron", "preferred_username": "service-account-cron"}
    token = local_issuer.token(gty=None, **claims)
    assert client_for(token).get("/me").json()["kind"] == "client"


def test_an_okta_token_of_a_person_names_its_app_by_cid(local_issuer, ann, settings):
    settings.OAUTH_PERSON_CLAIM = None
    token = local_issuer.token(gty=None, sub=ann.subject, azp=None, client_id=None, cid="0oa1web")
    answer = client_for(token).get("/me").json()
    assert (answer["kind"], answer["username"]) == ("person", ann.account.username)
