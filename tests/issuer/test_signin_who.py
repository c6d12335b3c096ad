"""Only people sign in to apps, and only while their sign-in is active."""

from __future__ import annotations

import pytest
from authlib.integrations.base_client.errors import OAuthError
from django.contrib.auth import get_user_model

from ..factories import StaffUserFactory
from .signin import PASSWORD, App, make_app, make_person, sign_in


@pytest.fixture
def app(api) -> App:
    return App(api.base_url, make_app(), scope="read:timesheets")


def switch_off(username: str) -> None:
    get_user_model().objects.filter(username=username).update(is_active=False)


def test_a_user_who_is_no_person_gets_access_denied_on_the_redirect(app):
    StaffUserFactory.create(username="payroll", password=PASSWORD)

    redirect = app.sign_in_and_authorize("payroll", state="s-4")

    assert redirect.params["error"] == "access_denied"
    assert redirect.params["state"] == "s-4"
    assert "code" not in redirect.params


def test_a_person_switched_off_gets_no_code(app):
    make_person("ann")
    switch_off("ann")
    url, _ = app.authorize_url()
    path = url[len(app.base_url) :]

    assert sign_in(app.browser, app.base_url, "ann", next_url=path).status_code == 200  # the form again
    assert app.follow(url).location is None


def test_a_person_switched_off_after_sign_in_gets_no_token(app):
    make_person("ann")
    redirect = app.sign_in_and_authorize()
    switch_off("ann")
    with pytest.raises(OAuthError) as refused:
        app.fetch_token(redirect)
    assert refused.value.error == "invalid_grant"


def test_a_person_switched_off_gets_no_refresh(app):
    make_person("ann")
    token = app.fetch_token(app.sign_in_and_authorize())
    switch_off("ann")
    with pytest.raises(OAuthError) as refused:
        app.refresh(token["refresh_token"])
    assert refused.value.error == "invalid_grant"


def test_userinfo_refuses_a_person_switched_off(api):
    make_person("ann")
    app = App(api.base_url, make_app(), scope="openid read:timesheets")
    token = app.fetch_token(app.sign_in_and_authorize())
    switch_off("ann")
    assert api.get("/oauth/userinfo", token=token["access_token"]).status_code == 401
