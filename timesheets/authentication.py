"""Bearer JWT authentication (RFC 6750) for the Timesheets API, on PyJWT."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import jwt
from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.request import Request

from issuer import conf as issuer_conf
from issuer import revocation
from people.lookup import PersonCard, active_person
from people.models import ROLE_SCOPES

from . import creators, jwks
from .models import Timesheet, TimesheetEvent

logger = logging.getLogger(__name__)

REALM = "timesheets"
MAX_TOKEN_LENGTH = 8192
# No longer than the columns that record who wrote.
MAX_IDENTITY_LENGTH: int = min(
    Timesheet._meta.get_field("created_by").max_length or 0,
    TimesheetEvent._meta.get_field("actor").max_length or 0,
)
# What a person's writes are recorded as: `person:<client_id>:<subject>`, the app and the
# person together, so that an external_id is keyed by (app, person). Client ids hold no ':'.
PERSON_PREFIX = "person:"
# Headers that would let a token name its own key (jku, x5u, jwk, x5c) are never followed,
# and no JWS extension is understood, so a token that marks one critical is refused (RFC 7515 §4.1.11).
REFUSED_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "crit"})


class InvalidToken(Exception):
    """Why a token was refused: logged, never shown to the caller."""


class UnknownPerson(PermissionDenied):
    """A valid person's token for nobody the API knows, or for a person switched off."""

    default_detail = "Unknown person"
    default_code = "unknown_person"


@dataclass(frozen=True)
class TokenPrincipal:
    """The caller a valid access token names; stands in for request.user.

    A client's own token (client credentials) has no `person`; a token an app holds for a
    person has one, and its scopes are already bounded by that person's role.
    """

    subject: str
    client_id: str
    scopes: frozenset[str]
    claims: dict[str, Any] = field(repr=False, compare=False)
    person: PersonCard | None = None

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False

    @property
    def identity(self) -> str:
        """Who a write is recorded against: the client, or the app and the person together."""
        if self.person is not None:
            return f"{PERSON_PREFIX}{self.client_id}:{self.person.subject}"
        return self.client_id

    def __str__(self) -> str:
        return self.identity


def token_scopes(claims: dict[str, Any]) -> frozenset[str]:
    """Scopes from `scope` (space separated), `scp` (string or list) and `permissions` (Auth0 RBAC)."""
    scopes: set[str] = set()
    scope = claims.get("scope")
    if scope is not None:
        if not isinstance(scope, str):
            raise InvalidToken("scope is not a string")
        scopes.update(scope.split())
    scp = claims.get("scp")
    if scp is not None:
        if isinstance(scp, str):
            scopes.update(scp.split())
        elif isinstance(scp, list) and all(isinstance(item, str) for item in scp):
            scopes.update(scp)
        else:
            raise InvalidToken("scp is neither a string nor a list of strings")
    permissions = claims.get("permissions")
    if permissions is not None:
        if not isinstance(permissions, list) or not all(isinstance(item, str) for item in permissions):
            raise InvalidToken("permissions is not a list of strings")
        scopes.update(permissions)
    return frozenset(scopes)


# Where issuers name the application a token was issued to: RFC 9068 and the embedded
# issuer `client_id`, OpenID Connect and Auth0 `azp`, Okta `cid`.
APP_CLAIMS = ("azp", "client_id", "cid")


def acts_for_person(claims: dict[str, Any]) -> bool:
    """Whether an app holds this token for a person, rather than a client for itself.

    A client's own token says so one of four ways: `gty` is client-credentials (Auth0 and
    the embedded issuer), `sub` is its client id (RFC 9068 §2.2; Okta names the client
    `cid`), `sub` is `<client id>@clients` (Auth0), or `preferred_username` is
    `service-account-<client id>` (Keycloak's service accounts, whose `sub` is a user id).
    Any other token was issued to a person.
    """
    gty = claims.get("gty")
    if gty == "client-credentials" or (isinstance(gty, list) and "client-credentials" in gty):
        return False
    subject = claims.get("sub")
    username = claims.get("preferred_username")
    apps = [app for app in (claims.get(name) for name in APP_CLAIMS) if isinstance(app, str)]
    return not any(subject in (app, f"{app}@clients") or username == f"service-account-{app}" for app in apps)


def principal_from_claims(claims: dict[str, Any]) -> TokenPrincipal:
    subject = claims.get("sub")
    client_id = next((claims[name] for name in APP_CLAIMS if claims.get(name)), subject)
    if not isinstance(subject, str) or not subject or not isinstance(client_id, str):
        raise InvalidToken("sub, azp or client_id is missing or not a string")
    if len(client_id) > MAX_IDENTITY_LENGTH:
        # Every write is recorded against the client: an id the record cannot hold would fail
        # the write, not the token.
        raise InvalidToken(f"azp or client_id is longer than {MAX_IDENTITY_LENGTH} characters")
    if not creators.can_be_a_client_actor(client_id):
        raise InvalidToken(f"client id {client_id!r} holds ':', which marks staff and person actors")
    return TokenPrincipal(subject=subject, client_id=client_id, scopes=token_scopes(claims), claims=claims)


def with_person(principal: TokenPrincipal) -> TokenPrincipal:
    """The principal of a person's token: its person found, its scopes bounded by their role."""
    if principal.client_id == principal.subject:
        raise InvalidToken("a person's token names no app (azp or client_id)")
    person = token_person(principal.claims)
    if person is None:
        raise UnknownPerson()
    principal = replace(
        principal,
        # The token may carry more than the person's role allows (an outside issuer's
        # permissions, a role changed since): the role bounds it, here as at the issuer.
        scopes=principal.scopes & ROLE_SCOPES.get(person.role, frozenset()),
        person=person,
    )
    if len(principal.identity) > MAX_IDENTITY_LENGTH:
        raise InvalidToken(f"app and person together are longer than {MAX_IDENTITY_LENGTH} characters")
    return principal


def token_person(claims: dict[str, Any]) -> PersonCard | None:
    """The active person a person's token names: by `sub`, or by OAUTH_PERSON_CLAIM as user_id."""
    claim = settings.OAUTH_PERSON_CLAIM
    if claim is None:
        return active_person(subject=claims["sub"])
    user_id = claims.get(claim)
    if not isinstance(user_id, str) or not user_id:
        return None
    return active_person(user_id=user_id)


def verification_key(alg: str, kid: object) -> Any:
    """The key for this token, chosen by the configuration; the token's header only selects a kid."""
    if alg.startswith("HS"):
        # Only the configured shared secret: never a public key used as an HMAC secret.
        if not settings.OAUTH_SIGNING_SECRET:
            raise InvalidToken("no OAUTH_SIGNING_SECRET for an HS algorithm")
        return settings.OAUTH_SIGNING_SECRET
    if kid is not None and (not isinstance(kid, str) or len(kid) > 256):
        raise InvalidToken("kid is not a short string")
    try:
        key = jwks.get_key(kid)
    except jwks.KeyUnavailable as exc:
        raise InvalidToken(str(exc)) from None
    # A PyJWK binds its algorithm: PyJWT refuses a token whose alg differs from the key's.
    return key


def verify_access_token(token: str, *, issuer: str) -> dict[str, Any]:
    """The token's claims, or InvalidToken; the accepted algorithms come only from OAUTH_ALGORITHMS."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("token too long")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"malformed token: {exc}") from None
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in settings.OAUTH_ALGORITHMS:
        raise InvalidToken(f"algorithm {alg!r} is not accepted")
    if REFUSED_HEADERS & header.keys():
        raise InvalidToken(f"refused header {sorted(REFUSED_HEADERS & header.keys())}")
    if _holds_control_characters(header):
        raise InvalidToken("control characters in the header")
    key = verification_key(alg, header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=settings.OAUTH_AUDIENCE,
            issuer=issuer,
            leeway=settings.OAUTH_LEEWAY,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.InvalidIssuerError as exc:
        raise InvalidToken(f"{exc}: expected {issuer!r}, received {_unverified(token, 'iss')!r}") from None
    except jwt.InvalidAudienceError as exc:
        expected = settings.OAUTH_AUDIENCE
        raise InvalidToken(f"{exc}: expected {expected!r}, received {_unverified(token, 'aud')!r}") from None
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from None
    # PyJWT takes "1700000000" for a time; RFC 7519 §2 says NumericDate, a JSON number.
    for name in ("exp", "nbf", "iat"):
        if name in claims and (isinstance(claims[name], bool) or not isinstance(claims[name], int | float)):
            raise InvalidToken(f"{name} is not a number")
    if _holds_control_characters(claims):
        raise InvalidToken("control characters in a claim")
    return claims


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


def _holds_control_characters(value: object) -> bool:
    """Whether any string in a JSON value holds a C0 control character or DEL (PostgreSQL refuses NUL)."""
    if isinstance(value, str):
        return _CONTROL_CHARACTER.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_control_characters(item) for pair in value.items() for item in pair)
    if isinstance(value, list):
        return any(_holds_control_characters(item) for item in value)
    return False


def _unverified(token: str, claim: str) -> object:
    """A claim of a refused token, for the log line that says why; the token itself is never logged."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get(claim)
    except jwt.PyJWTError:
        return None


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <JWT>`, checked against the configured issuer, audience and keys.

    Another scheme is left to the next class (the staff session); a Bearer header with a
    bad token is a 401 whatever the reason, which goes to the log, not to the caller.
    """

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, dict[str, Any]] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token.strip()
        try:
            if not token or " " in token:
                raise InvalidToken("malformed Authorization header")
            claims = verify_access_token(token, issuer=issuer_conf.expected_issuer(request))
            principal = principal_from_claims(claims)
            if issuer_conf.is_embedded() and not revocation.token_stands(
                principal.client_id, claims.get("iat")
            ):
                raise InvalidToken(f"client {principal.client_id!r} disabled, deleted or its secret rotated")
            if acts_for_person(claims):
                principal = with_person(principal)
        except InvalidToken as exc:
            logger.info("Refused a bearer token: %s", exc)
            raise AuthenticationFailed() from None
        except UnknownPerson:
            # A valid token: the issuer knows this person, the API does not (or no longer).
            logger.info("Refused a person's token: no active person for sub %r", claims.get("sub"))
            raise
        return principal, claims

    def authenticate_header(self, request: Request) -> str:
        # RFC 6750 §3: error="invalid_token" only when a token was sent; none at all is
        # answered with the bare challenge.
        if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer"):
            return f'Bearer realm="{REALM}", error="invalid_token"'
        return f'Bearer realm="{REALM}"'
