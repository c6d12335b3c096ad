"""Access tokens as JWTs (RFC 9068), for django-oauth-toolkit's ACCESS_TOKEN_GENERATOR.

Without this setting the library issues opaque tokens, which a resource server could only
check by calling back; a JWT is checked locally against the JWKS.

Two kinds, told apart by the grant: a client's own (client credentials: `sub` is the client,
`gty` says so, as Auth0's do) and a person's (authorization code and its refreshes: `sub` is
the person's subject, no `gty`). The API tells them apart by the same claims.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from . import conf, keys

# Set by the token view's backend from the Django request: oauthlib's request knows only
# the path, and the issuer is this server's absolute address.
ISSUER_HEADER = "timesheets.issuer"


def sign(claims: dict[str, Any], typ: str) -> str:
    """Signs with the current key, naming it by `kid` so the JWKS finds it."""
    signing_key = keys.current_signing_key()
    headers = {"kid": signing_key.kid, "typ": typ}
    return jwt.encode(claims, signing_key.private_key, algorithm=keys.ALGORITHM, headers=headers)


def generate_access_token(request: Any) -> str:
    client_id = request.client.client_id
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": request.headers[ISSUER_HEADER],
        "aud": request.audience_granted,
        "iat": now,
        "exp": now + conf.access_token_lifetime(request),
        "jti": uuid.uuid4().hex,
        "client_id": client_id,
        "azp": client_id,  # Auth0's name for the same
        "scope": " ".join(request.scopes),
    }
    if request.grant_type in conf.PERSON_GRANTS:
        # The validator let only an active person through (issuer/validators.py).
        claims["sub"] = request.user.person.subject
    else:
        claims["sub"] = client_id
        claims["gty"] = "client-credentials"
    return sign(claims, "at+jwt")
