"""Tokens an attacker would try, beyond the ordinary forgeries: each must be a 401 and write nothing."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.tokens import hs256_token, unsigned_token
from timesheets.models import Timesheet

ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_JWK = jwt.algorithms.RSAAlgorithm.to_jwk(ATTACKER_KEY.public_key(), as_dict=True)


def signed_by_attacker(issuer, **headers) -> str:
    return jwt.encode(issuer.claims(), ATTACKER_KEY, "RS256", headers=headers)


HOSTILE = {
    "jku pointing at the attacker's keys": lambda i: signed_by_attacker(
        i, kid="a", jku="http://127.0.0.1:9/keys"
    ),
    "x5u pointing at the attacker's cert": lambda i: signed_by_attacker(
        i, kid="a", x5u="http://127.0.0.1:9/c"
    ),
    "jwk embedding the attacker's key": lambda i: signed_by_attacker(i, kid="a", jwk=ATTACKER_JWK),
    "jku on a validly signed token": lambda i: i.token(headers={"jku": i.url + "keys"}),
    "unknown crit extension": lambda i: i.token(headers={"crit": ["exp"], "exp": 1}),
    "kid with path characters": lambda i: signed_by_attacker(i, kid="../../../../etc/passwd"),
    "kid with SQL": lambda i: signed_by_attacker(i, kid="' OR '1'='1' --"),
    "kid that is not a string": lambda i: (
        unsigned_token(i.claims(), {"alg": "RS256", "kid": {"$ne": 1}}) + ".c2ln"
    ),
    "a 20 KB token": lambda i: i.token(padding="x" * 20_000),
    "aud as an empty list": lambda i: i.token(aud=[]),
    "scope that is not a string": lambda i: i.token(scope=["read:timesheets"]),
    "permissions that is not a list": lambda i: i.token(scope=None, permissions="read:timesheets"),
    "iat in the future": lambda i: i.token(iat=int(time.time()) + 3600),
    "exp that is not a number": lambda i: i.token(exp="tomorrow"),
    "exp as a numeric string": lambda i: i.token(exp=str(int(time.time()) + 600)),
    "nbf as a numeric string": lambda i: i.token(nbf=str(int(time.time()) - 60)),
    "iat as a numeric string": lambda i: i.token(iat=str(int(time.time()))),
    "exp as a boolean": lambda i: i.token(exp=True),
    "kid with a NUL": lambda i: signed_by_attacker(i, kid="key-1\x00"),
    "kid with a NUL on a validly signed token": lambda i: jwt.encode(
        i.claims(), i.keys["key-1"], "RS256", headers={"kid": "key-1\x00"}
    ),
    "typ with a control character": lambda i: i.token(headers={"typ": "at+jwt\x1b"}),
    "azp with a NUL": lambda i: i.token(azp="outside\x00client"),
    "azp longer than the record of who wrote": lambda i: i.token(azp="c" * 256),
    "sub with a NUL": lambda i: i.token(sub="outside\x00client", azp=None),
    "sub posing as a staff user": lambda i: i.token(sub="user:rtadmin", azp=None),
    "azp posing as a staff user": lambda i: i.token(azp="user:rtadmin"),
    "client_id posing as a person": lambda i: i.token(azp=None, client_id="person:app:subject"),
    "scope with a control character": lambda i: i.token(scope="create:timesheets\x07"),
    "iss with a NUL": lambda i: i.token(iss=i.url + "\x00"),
    "another audience of the same issuer": lambda i: i.token(aud="https://payroll.abc.example/api"),
    "alg None capitalised": lambda i: unsigned_token(i.claims(), {"alg": "None"}) + ".",
    "alg none with a signature": lambda i: unsigned_token(i.claims(), {"alg": "none"}) + ".c2ln",
    "HS256 keyed with the JWKS document": lambda i: hs256_token(i.claims(), str(i.jwks()).encode()),
    "RS512 not in OAUTH_ALGORITHMS": lambda i: jwt.encode(
        i.claims(), i.keys["key-1"], "RS512", headers={"kid": "key-1"}
    ),
    "signature stripped": lambda i: i.token().rsplit(".", 1)[0] + ".",
    "payload swapped under a valid signature": lambda i: (
        i.token(scope="read:timesheets").split(".")[0]
        + "."
        + i.token(scope="approve:timesheets").split(".")[1]
        + "."
        + i.token(scope="read:timesheets").split(".")[2]
    ),
    "no sub": lambda i: i.token(sub=None, azp=None),
    "empty": lambda i: "",
    "two tokens": lambda i: i.token() + " " + i.token(),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_token_is_refused_and_writes_nothing(app, local_issuer, entry, tally, case):
    token = HOSTILE[case](local_issuer)
    response = app.post("/timesheets", headers={"Authorization": f"Bearer {token}"}, json=entry())
    refused = response.status_code == 401 and response.json() == {"detail": "Missing or invalid token"}
    assert tally("hostile tokens refused", refused and not Timesheet.objects.exists()), response.text


def test_the_scheme_is_case_insensitive(app, local_issuer):
    response = app.get("/timesheets", headers={"Authorization": f"bearer {local_issuer.token()}"})
    assert response.status_code == 200


def test_a_token_in_the_query_string_is_not_read(app, local_issuer):
    response = app.get("/timesheets", params={"access_token": local_issuer.token()})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="timesheets"'
