"""A hasher for client secrets: one SHA-256, since the secret is random, not a person's password.

PBKDF2's 1,000,000 rounds slow down guessing a password a person chose. A client secret is
128 random characters (django-oauth-toolkit's generate_client_secret, about 760 bits): no
dictionary reaches it, and one salted SHA-256 resists guessing as well as any number of
rounds would. What the rounds did cost was the server: about 300 ms of CPU for every wrong
secret anyone posted to /oauth/token, so a few threads took the API down (SECURITY.md).

Listed last in PASSWORD_HASHERS, so people's passwords keep Django's default, and named in
OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"], so django-oauth-toolkit hashes client secrets with
it. Secrets hashed before (PBKDF2) still work and are rehashed with this one on their next
right use (issuer/client_secrets.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare

ALGORITHM = "client_secret_sha256"


class ClientSecretHasher(BasePasswordHasher):
    algorithm = ALGORITHM

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("a client secret and a salt without '$' are needed")
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }
