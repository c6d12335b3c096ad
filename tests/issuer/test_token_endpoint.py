"""POST /oauth/token over real HTTP: request forms, tokens, and every RFC 6749 §5.2 error."""

from __future__ import annotations

import jwt
import pytest

from issuer.models import ApiClient

AUDIENCE = "https://timesheets.abc.example/api"


def token_request(api, client_id: str, secret: str, form: str, naming: str, **extra: str):
    params = {"grant_type": "client_credentials", **extra}
    if naming != "neither":
        params[naming] = AUDIENCE
    if form == "basic":
        return api.post("/oauth/token", data=params, auth=(client_id, secret))
    params |= {"client_id": client_id, "client_secret": secret}
    if form == "json":
        return api.post("/oauth/token", json=params)
    return api.post("/oauth/token", data=params)


@pytest.mark.parametrize("naming", ["audience", "resource", "neither"])
@pytest.mark.parametrize("form", ["json", "form", "basic"])
def test_a_token_from_each_request_form_opens_exactly_its_scopes(api, api_client, timesheet, form, naming):
    client_id, secret = api_client("read:timesheets create:timesheets")

    response = token_request(api, client_id, secret, form, naming)

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"read:timesheets", "create:timesheets"}
    token = body["access_token"]
    assert api.get("/timesheets", token=token).status_code == 200
    assert api.delete(f"/timesheets/{timesheet.pk}", token=token).status_code == 403


def test_scope_narrows_the_grant(api, api_client):
    client_id, secret = api_client("read:timesheets create:timesheets")
    response = token_request(api, client_id, secret, "form", "audience", scope="read:timesheets")
    assert response.json()["scope"] == "read:timesheets"
    token = response.json()["access_token"]
    assert api.post("/timesheets/batch", token=token, json=[]).status_code == 403


def test_the_token_is_an_rfc_9068_jwt_with_auth0_claims(api, api_client):
    client_id, secret = api_client("read:timesheets")
    token = token_request(api, client_id, secret, "form", "audience").json()["access_token"]

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})

    assert header["typ"] == "at+jwt" and header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == api.get("/.well-known/openid-configuration").json()["issuer"]
    assert claims["sub"] == claims["client_id"] == claims["azp"] == client_id
    assert claims["aud"] == AUDIENCE
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["gty"] == "client-credentials" and claims["jti"] and claims["scope"] == "read:timesheets"


@pytest.mark.parametrize(
    ("change", "error", "status"),
    [
        ({"grant_type": None}, "unsupported_grant_type", 400),
        ({"grant_type": "urn:ietf:params:oauth:grant-type:saml2-bearer"}, "unsupported_grant_type", 400),
        ({"client_secret": "wrong"}, "invalid_client", 401),
        ({"client_id": "nobody"}, "invalid_client", 401),
        ({"client_secret": None}, "invalid_client", 401),
        ({"scope": "approve:timesheets"}, "invalid_scope", 400),
        ({"audience": "https://another.api.example/"}, "invalid_target", 400),
    ],
)
def test_errors_follow_rfc_6749_section_5_2(api, api_client, change, error, status, tally):
    client_id, secret = api_client("read:timesheets")
    params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    params = {name: value for name, value in (params | change).items() if value is not None}

    response = api.post("/oauth/token", data=params)

    held = (response.status_code, response.json()["error"]) == (status, error)
    held = held and bool(response.json().get("error_description"))
    tally("token endpoint: RFC 6749 §5.2 errors with a description", held)
    assert held, response.text
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("grant_type", ["password", "implicit"])
def test_a_grant_not_offered_is_unsupported_without_hints(api, api_client, grant_type, tally):
    client_id, secret = api_client("read:timesheets")
    params = {"grant_type": grant_type, "client_id": client_id, "client_secret": secret}

    body = api.post("/oauth/token", data=params).json()

    held = body == {
        "error": "unsupported_grant_type",
        "error_description": (
            "This server offers the client_credentials, authorization_code and refresh_token grants."
        ),
    }
    tally("token endpoint: RFC 6749 §5.2 errors with a description", held)
    assert held, body


def test_a_client_may_not_use_the_authorization_code_grant_of_peoples_apps(api, api_client):
    client_id, secret = api_client("read:timesheets")
    params = {"grant_type": "authorization_code", "client_id": client_id, "client_secret": secret}
    params |= {"code": "x", "redirect_uri": "https://app.example/cb", "code_verifier": "v" * 43}

    response = api.post("/oauth/token", data=params)

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_a_scope_beyond_the_grant_names_it(api, api_client):
    client_id, secret = api_client("read:timesheets")
    response = token_request(
        api, client_id, secret, "form", "neither", scope="read:timesheets approve:timesheets"
    )
    assert response.json() == {
        "error": "invalid_scope",
        "error_description": "Not granted to this client: approve:timesheets",
    }


def test_a_repeated_parameter_is_an_invalid_request(api, api_client):
    client_id, secret = api_client("read:timesheets")
    params = [
        ("grant_type", "client_credentials"),
        ("scope", "read:timesheets"),
        ("scope", "read:timesheets"),
    ]
    response = api.post("/oauth/token", data=params, auth=(client_id, secret))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_client_with_no_grant_on_the_api_is_unauthorized(api, api_client):
    client_id, secret = api_client("read:timesheets")
    ApiClient.objects.get(client_id=client_id).grants.all().delete()
    response = token_request(api, client_id, secret, "form", "neither")
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_a_disabled_client_is_an_invalid_client(api, api_client):
    client_id, secret = api_client("read:timesheets")
    ApiClient.objects.filter(client_id=client_id).update(is_active=False)
    response = token_request(api, client_id, secret, "form", "neither")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_the_embedded_endpoints_are_off_when_another_issuer_is_configured(api, settings):
    settings.OAUTH_ISSUER = "https://abc.eu.auth0.com/"
    for path in ("/.well-known/jwks.json", "/.well-known/openid-configuration"):
        assert api.get(path).status_code == 404
    assert api.post("/oauth/token", data={"grant_type": "client_credentials"}).status_code == 404


def test_metadata_names_the_endpoints(api):
    metadata = api.get("/.well-known/openid-configuration").json()
    assert metadata["token_endpoint"] == metadata["issuer"] + "oauth/token"
    assert "client_credentials" in metadata["grant_types_supported"]
    assert {"client_secret_post", "client_secret_basic"} <= set(
        metadata["token_endpoint_auth_methods_supported"]
    )
    assert "approve:timesheets" in metadata["scopes_supported"]
    assert api.get("/.well-known/oauth-authorization-server").json() == metadata
