"""Helpers for tests of people's tokens: people, their apps, and the tokens an app holds for them.

A person's token is minted here as the embedded issuer's authorization code flow mints it
(typ at+jwt, RS256 with the issuer's current key, `sub` the person's subject, `client_id`
and `azp` the app, no `gty`), so that the API's rules are tested without the sign-in.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
from django.conf import settings
from rest_framework.test import APIClient

from issuer import keys
from issuer.models import ApiClient
from people.models import Person

from .factories import PersonFactory

ISSUER = "http://testserver/"  # the embedded issuer's name for APIClient's requests
PERSON_SCOPES = "read:timesheets create:timesheets delete:timesheets approve:timesheets"


def make_person(username: str, user_id: str, *, manager: bool = False, **fields: Any) -> Person:
    """A person signed in as `username`; `fields` set the person's own fields (subject, user_type)."""
    return PersonFactory.create(
        user_id=user_id,
        manager=manager,
        account__username=username,
        account__email=f"{username}@abc.example",
        **fields,
    )


def make_app(name: str = "Timesheets web") -> ApiClient:
    """A public app of the embedded issuer, as create_app_client registers one."""
    return ApiClient.objects.create(
        name=name,
        client_type=ApiClient.CLIENT_PUBLIC,
        authorization_grant_type=ApiClient.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1/callback",
    )


def person_token(person: Person, app: ApiClient, scope: str = PERSON_SCOPES, **claims: Any) -> str:
    """The access token the embedded issuer gives `app` for `person`; claims set to None are left out."""
    defaults = {"sub": person.subject, "client_id": app.client_id, "azp": app.client_id, "scope": scope}
    return embedded_token(**{**defaults, **claims})


def client_token(client_id: str, scope: str) -> str:
    """A client's own token from the embedded issuer, as /oauth/token signs it."""
    return embedded_token(
        sub=client_id, client_id=client_id, azp=client_id, scope=scope, gty="client-credentials"
    )


def embedded_token(**claims: Any) -> str:
    """A token signed with the embedded issuer's current key, for APIClient's host."""
    now = int(time.time())
    body = {"iss": ISSUER, "aud": settings.OAUTH_AUDIENCE, "iat": now, "exp": now + 300}
    body |= {"jti": uuid.uuid4().hex, **claims}
    key = keys.current_signing_key()
    return jwt.encode(
        {name: value for name, value in body.items() if value is not None},
        key.private_key,
        algorithm=keys.ALGORITHM,
        headers={"kid": key.kid, "typ": "at+jwt"},
    )


def client_for(token: str) -> APIClient:
    """An in-process API client that sends this bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client
