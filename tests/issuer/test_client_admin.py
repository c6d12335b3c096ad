"""The admin's API clients: a form with what a machine-to-machine client has, secrets shown once."""

from __future__ import annotations

import re

from issuer.models import ApiClient
from issuer.services import app_client_create


def secret_on(page: bytes) -> str:
    found = re.search(rb'id="client-secret">([^<]+)<', page)
    assert found is not None, "no secret on the page"
    return found.group(1).decode()


def token_status(app, client_id: str, secret: str) -> int:
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return app.post("/oauth/token", data=params).status_code


def test_the_form_shows_only_what_a_client_credentials_client_has(admin_client, api_client):
    client_id, _ = api_client("read:timesheets")
    pk = ApiClient.objects.get(client_id=client_id).pk
    page = admin_client.get(f"/admin/issuer/apiclient/{pk}/change/").content.decode()
    for absent in ("redirect_uris", "client_secret", "skip_authorization", "algorithm", "allowed_origins"):
        assert f'name="{absent}"' not in page, absent
    assert 'name="is_active"' in page and client_id in page
    assert "View on site" not in page


def add_client(admin_client, name: str, scope: str, audience: str):
    """Posts the admin's add form for a client with one grant, as a person fills it in."""
    form = {
        "name": name,
        "is_active": "on",
        "grants-TOTAL_FORMS": "1",
        "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
        "grants-0-audience": audience,
        "grants-0-scope": scope,
    }
    return admin_client.post("/admin/issuer/apiclient/add/", form)


def test_the_rotate_action_shows_a_working_secret_once(app, admin_client, api_client):
    client_id, old_secret = api_client("read:timesheets")
    pk = ApiClient.objects.get(client_id=client_id).pk
    response = admin_client.post(
        "/admin/issuer/apiclient/", {"action": "rotate_secret", "_selected_action": [pk]}
    )
    assert "no-store" in response["Cache-Control"]
    assert token_status(app, client_id, secret_on(response.content)) == 200
    assert token_status(app, client_id, old_secret) == 401


def test_a_client_added_in_the_admin_gets_a_secret_shown_once(app, admin_client, settings):
    response = add_client(admin_client, "payroll export", "read:timesheets", settings.OAUTH_AUDIENCE)
    client = ApiClient.objects.get(name="payroll export")
    assert token_status(app, client.client_id, secret_on(response.content)) == 200


def test_a_mistyped_scope_is_refused_by_the_form(admin_client, settings):
    response = add_client(admin_client, "typo", "read:timesheet", settings.OAUTH_AUDIENCE)
    assert b"Unknown scopes: read:timesheet" in response.content
    assert not ApiClient.objects.filter(name="typo").exists()


def test_the_librarys_unused_token_tables_are_hidden(admin_client):
    index = admin_client.get("/admin/").content.decode()
    for hidden in ("Access tokens", "Grants", "Id tokens", "Refresh tokens"):
        assert hidden not in index, hidden
    assert "API clients" in index
    assert admin_client.get("/admin/oauth2_provider/accesstoken/").status_code == 403


def test_the_rotate_action_skips_a_public_app_and_says_why(admin_client):
    web = app_client_create(name="Timesheets web", redirect_uris=["https://app.example/callback"]).client
    response = admin_client.post(
        "/admin/issuer/apiclient/", {"action": "rotate_secret", "_selected_action": [web.pk]}, follow=True
    )
    web.refresh_from_db()
    assert (web.client_secret, web.secret_rotated_at) == ("", None)
    assert "Skipped Timesheets web" in response.content.decode()
    assert "public" in response.content.decode()


def test_the_rotate_action_rotates_the_confidential_client_beside_a_skipped_public_app(
    app, admin_client, api_client
):
    client_id, _ = api_client("read:timesheets")
    web = app_client_create(name="Timesheets web", redirect_uris=["https://app.example/callback"]).client
    pks = [ApiClient.objects.get(client_id=client_id).pk, web.pk]
    response = admin_client.post(
        "/admin/issuer/apiclient/", {"action": "rotate_secret", "_selected_action": pks}
    )
    assert token_status(app, client_id, secret_on(response.content)) == 200
    assert "Skipped Timesheets web" in response.content.decode()
