"""The discovery document names what people's apps need (OpenID Connect Discovery, RFC 8414)."""

from __future__ import annotations


def test_discovery_names_the_code_flow(client, db):
    metadata = client.get("/.well-known/openid-configuration").json()
    issuer = metadata["issuer"]
    assert metadata["authorization_endpoint"] == issuer + "oauth/authorize"
    assert metadata["revocation_endpoint"] == issuer + "oauth/revoke"
    assert metadata["userinfo_endpoint"] == issuer + "oauth/userinfo"
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert {"client_credentials", "authorization_code", "refresh_token"} == set(
        metadata["grant_types_supported"]
    )
    assert "openid" in metadata["scopes_supported"]
    assert client.get("/.well-known/oauth-authorization-server").json() == metadata


def test_every_new_endpoint_answers_with_and_without_the_slash(client, db):
    for path in ("/oauth/authorize", "/oauth/revoke", "/oauth/userinfo", "/accounts/login"):
        assert client.get(path).status_code != 404
        assert client.get(path + "/").status_code != 404
