"""/app/: the page's shell, its Content-Security-Policy, and its registration by `migrate`."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from issuer.models import ApiClient
from webapp.registration import CLIENT_ID


def test_the_app_is_served_with_and_without_its_trailing_slash(client):
    for path in ("/app/", "/app"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


def test_the_policy_allows_no_inline_script_no_frames_and_no_other_origin(client):
    header = client.get("/app/")["Content-Security-Policy"]
    policy = dict(directive.strip().split(" ", 1) for directive in header.split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'none'"


def test_the_policy_lets_the_page_reach_the_configured_cors_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://timesheets.abc.example", "https://x.example; script-src *"]
    policy = client.get("/app/")["Content-Security-Policy"]
    assert "connect-src 'self' https://timesheets.abc.example;" in policy
    assert "x.example" not in policy  # not an origin: never spliced into the policy


def test_the_page_holds_no_inline_script_for_the_policy_to_block(client):
    html = client.get("/app/").content.decode()
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert 'type="module" src="/static/' in attributes or (
            'type="application/json"' in attributes  # data the page reads, never run
        ), attributes
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers either


def test_the_pages_address_is_never_sent_on_and_never_cached(client):
    response = client.get("/app/")
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_the_scripts_are_served_as_javascript_modules(client):
    for name in ("app.js", "auth.js", "api.js", "weeks.js", "words.js"):
        response = client.get(f"/static/webapp/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/javascript"), name


def test_the_landing_page_links_the_app(client):
    assert 'href="/app/"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_migrate_registers_the_app_as_a_public_first_party_client():
    client = ApiClient.objects.get(client_id=CLIENT_ID)
    assert client.name == "Timesheets web"
    assert client.client_type == ApiClient.CLIENT_PUBLIC
    assert client.authorization_grant_type == ApiClient.GRANT_AUTHORIZATION_CODE
    assert client.redirect_uris == "/app/"
    assert client.skip_authorization


@pytest.mark.django_db
def test_every_migrate_puts_the_registration_back_and_makes_no_second_one():
    ApiClient.objects.filter(client_id=CLIENT_ID).update(redirect_uris="https://elsewhere.example/")
    call_command("migrate", verbosity=0)
    assert ApiClient.objects.get(client_id=CLIENT_ID).redirect_uris == "/app/"
    assert ApiClient.objects.filter(client_id=CLIENT_ID).count() == 1


@pytest.mark.django_db
def test_a_client_the_admin_switched_off_stays_off_after_migrate():
    ApiClient.objects.filter(client_id=CLIENT_ID).update(is_active=False)
    call_command("migrate", verbosity=0)
    assert not ApiClient.objects.get(client_id=CLIENT_ID).is_active


@pytest.mark.django_db
def test_migrate_clears_a_secret_rotation_the_public_app_was_once_given():
    ApiClient.objects.filter(client_id=CLIENT_ID).update(
        client_secret="pbkdf2_sha256$1$x$y", hash_client_secret=True, secret_rotated_at=timezone.now()
    )
    call_command("migrate", verbosity=0)
    client = ApiClient.objects.get(client_id=CLIENT_ID)
    assert (client.client_secret, client.secret_rotated_at) == ("", None)
