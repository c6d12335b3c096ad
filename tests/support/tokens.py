"""Tokens the tests forge: an outside issuer on loopback that signs with keys the tests hold,
and hand-built JWTs no library would sign."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings

from issuer import conf as issuer_conf
from issuer import keys as issuer_keys

from ..samples import ALL_SCOPES
from .servers import LoopbackServer


class LocalIssuer:
    """An outside issuer on loopback: discovery and JWKS over real HTTP, and a signer."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {"key-1": _first_key()}
        self.up = True
        self.jwks_requests = 0
        self._server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self._server.port}/"

    def stop(self) -> None:
        self._server.stop()

    def add_key(self, kid: str) -> None:
        self.keys[kid] = _rsa_key()

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    **jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
                    "kid": kid,
                    "use": "sig",
                }
                for kid, key in self.keys.items()
            ]
        }

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "outside-client@clients",
            "azp": "outside-client",
            "aud": django_settings.OAUTH_AUDIENCE,
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "scope": ALL_SCOPES,
            "gty": "client-credentials",
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, kid: str = "key-1", headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A token signed RS256 with key `kid`; claims set to None are left out."""
        return jwt.encode(
            self.claims(**claims), self.keys[kid], algorithm="RS256", headers={"kid": kid, **(headers or {})}
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not issuer.up:
                    self.send_error(503)
                    return
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "keys"}
                elif self.path == "/keys":
                    issuer.jwks_requests += 1
                    body = issuer.jwks()
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@functools.cache
def _first_key() -> rsa.RSAPrivateKey:
    """Every issuer's first key: a test trusts only its own issuer's address, so one key made
    per process serves them all, where a new one each test cost ~40 ms. Keys added by
    `add_key` are new each time."""
    return _rsa_key()


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def unsigned_token(claims: dict[str, Any], header: dict[str, Any]) -> str:
    """A JWT assembled by hand, for tokens no library will sign (alg none, HS256 keyed with a PEM)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def hs256_token(claims: dict[str, Any], secret: bytes, header: dict[str, Any] | None = None) -> str:
    signing_input = unsigned_token(claims, {"alg": "HS256", "typ": "JWT", **(header or {})})
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def embedded_token(*, client_id: str, scope: str, issuer: str) -> str:
    """A token as the embedded issuer's /oauth/token signs it (issuer/tokens.py), minted in process.

    tests/issuer/test_minted_tokens.py holds these tokens to the endpoint's.
    """
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": client_id,
        "aud": django_settings.OAUTH_AUDIENCE,
        "iat": now,
        "exp": now + issuer_conf.token_lifetime(),
        "jti": uuid.uuid4().hex,
        "client_id": client_id,
        "azp": client_id,
        "scope": scope,
        "gty": "client-credentials",
    }
    signing_key = issuer_keys.current_signing_key()
    header = {"kid": signing_key.kid, "typ": "at+jwt"}
    return jwt.encode(claims, signing_key.private_key, algorithm=issuer_keys.ALGORITHM, headers=header)
