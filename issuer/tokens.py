"""Access tokens as JWTs (RFC 9068), for django-oauth-toolkit's ACCESS_TOKEN_GENERATOR.

Without this setting the library issues opaque tokens, which a resource server could only
check by calling back; a JWT is checked locally against the JWKS.
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


def generate_access_token(request: Any) -> str:
    client_id = request.client.client_id
    now = int(time.time())
    claims = {
        "iss": request.headers[ISSUER_HEADER],
        "sub": client_id,
        "aud": request.audience_granted,
        "iat": now,
        "exp": now + conf.token_lifetime(),
        "jti": uuid.uuid4().hex,
        "client_id": client_id,
        "azp": client_id,  # Auth0's name for the same
        "scope": " ".join(request.scopes),
        "gty": "client-credentials",
    }
    signing_key = keys.current_signing_key()
    return jwt.encode(
        claims,
        signing_key.private_key,
        algorithm=keys.ALGORITHM,
        headers={"kid": signing_key.kid, "typ": "at+jwt"},
    )
