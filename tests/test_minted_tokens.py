"""The tokens the in-process tests mint are the tokens the embedded issuer's /oauth/token issues."""

from __future__ import annotations

import jwt

VARYING = {"iat", "exp", "jti"}


def unverified(token: str) -> tuple[dict, dict]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def test_a_minted_token_has_the_issued_tokens_header_and_claims(app):
    minted = app.token(client_id="importer", scope="create:timesheets")
    issued = app.fetch_token(client_id="importer", scope="create:timesheets")
    (minted_header, minted_claims), (issued_header, issued_claims) = unverified(minted), unverified(issued)
    assert minted_header == issued_header
    assert minted_claims.keys() == issued_claims.keys()
    assert {name: value for name, value in minted_claims.items() if name not in VARYING} == {
        name: value for name, value in issued_claims.items() if name not in VARYING
    }
    assert minted_claims["exp"] - minted_claims["iat"] == issued_claims["exp"] - issued_claims["iat"]


def test_a_minted_token_is_accepted_as_an_issued_one_is(app):
    minted = app.token(client_id="reader", scope="read:timesheets")
    for token in (minted, app.fetch_token(client_id="reader", scope="read:timesheets")):
        assert app.get("/timesheets", token=token).status_code == 200
