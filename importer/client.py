"""The importer's HTTP side: an access token by the client credentials grant, and batches to the API."""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.utils
import hashlib
import hmac
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from common.http import BodyLimit
from common.scopes import CREATE

from . import http
from .config import ConfigurationError, ImporterConfig, discover_token_url
from .http import shown as public_url

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
# A cached token is replaced this long before it expires (a tenth of its life when that
# is shorter), so that none expires mid-request.
EXPIRY_MARGIN_SECONDS = 60
BATCH_STATUSES = frozenset({"created", "updated", "unchanged", "conflict", "invalid"})


class AuthorizationError(Exception):
    """The credentials or the token were refused: a person must act; exit status 2."""


class TransientError(Exception):
    """No usable answer in the time allowed; a later run can finish the work."""


class BodyTooLarge(Exception):
    """The API answered 413: the batch must be sent in smaller parts."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring Retry-After, within a total time."""

    total_seconds: float = 120.0
    read_timeout: float = 60.0
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))  # noqa: S311 (jitter)


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def send(
    session: requests.Session, method: str, url: str, policy: RetryPolicy, *, hint: str = "", **kwargs: Any
) -> requests.Response:
    """The first answer that is not 429 or 5xx; connection errors and those are retried.

    Retrying a POST is safe here: every entry carries an external_id, so a batch the
    server wrote before the connection broke comes back `unchanged`. An outage is two log
    lines: at the first failure, the URL and what to check (`hint`, for a server that cannot
    be reached), then retries at DEBUG, then the caller's line when they give up. Each attempt's answer
    is read whole within --timeout and MAX_PAGE_BYTES (importer/http.py); one that is too
    large or too slow ends the request, unretried: asking again would only wait again.
    """
    deadline = time.monotonic() + policy.total_seconds
    attempt = 0
    while True:
        try:
            response = http.request(
                session, method, url, timeout=(CONNECT_TIMEOUT, policy.read_timeout), **kwargs
            )
        except BodyLimit as exc:
            raise TransientError(str(exc)) from None
        except requests.RequestException as exc:  # refused, reset, timed out, cut short
            problem, wait = exc.__class__.__name__, policy.backoff(attempt)
            if hint and isinstance(exc, requests.ConnectionError | requests.Timeout):
                problem = f"{problem} ({hint})"
        else:
            if response.status_code != 429 and response.status_code < 500:
                return response
            problem = f"HTTP {response.status_code}"
            asked = retry_after(response)
            wait = policy.backoff(attempt) if asked is None else asked
        attempt += 1
        if time.monotonic() + wait > deadline:
            spent = policy.total_seconds - max(0.0, deadline - time.monotonic())
            raise TransientError(
                f"{method} {public_url(url)}: {problem.partition(' (')[0]}; gave up after {attempt} "
                f"attempts in {spent:.1f} s"
            )
        # One line when a request starts failing, not one per attempt: an outage stays readable.
        logger.log(
            logging.WARNING if attempt == 1 else logging.DEBUG,
            "%s %s: %s; retrying quietly for up to %.0f s",
            method,
            public_url(url),
            problem,
            max(0.0, deadline - time.monotonic()),
        )
        time.sleep(wait)


class TokenProvider:
    """Client credentials tokens, kept in memory and cached in a 0600 file across runs.

    Auth0 counts machine-to-machine tokens: a job that runs every five minutes reuses
    one token until shortly before it expires instead of asking for one each run. The
    cache file is named by an HMAC of the token request keyed with the client secret, so
    a token is only ever reused with the credentials that obtained it (a wrong secret is
    refused by the issuer, not served from the cache), and the secret is never stored.
    The cache is optional: when its folder cannot be written, one warning, and the token
    lives in memory for the run.
    """

    def __init__(
        self,
        config: ImporterConfig,
        session: requests.Session,
        policy: RetryPolicy,
        *,
        memory_only: bool = False,
    ) -> None:
        self.config = config
        self.session = session
        self.policy = policy
        self.memory_only = memory_only
        self._lock = threading.Lock()
        self._memory: tuple[str, float] | None = None  # (access token, refresh at)
        self._granted: str | None = None  # the token answer's `scope`, when it gave one
        self._cache_warned = False
        request = "|".join(
            [config.token_url or config.issuer or "", config.client_id, config.audience, config.scope or ""]
        )
        name = hmac.new(config.client_secret.encode(), request.encode(), hashlib.sha256).hexdigest()[:32]
        self.cache_path = config.cache_dir / f"token-{name}.json"

    def token(self) -> str:
        with self._lock:  # batches in flight ask together; one of them fetches
            cached = self._cached()
            return cached if cached is not None else self._fetch()

    def renew(self, refused: str) -> str:
        """For a token the API refused (revoked, or the keys changed): fetch anew, once for all batches."""
        with self._lock:
            cached = self._cached()
            if cached is not None and cached != refused:
                return cached  # another batch renewed it already
            self._memory = None
            with contextlib.suppress(OSError):
                self.cache_path.unlink(missing_ok=True)
            return self._fetch()

    def check_scope(self, token: str) -> None:
        """Refuses a token that lacks `create:timesheets`, before any row is sent: the scopes of
        the token answer (RFC 6749 §5.1), else the JWT's own `scope` or `permissions` (Auth0)
        claims, read without verifying (the API verifies; this only spares a doomed run). A
        token that says neither is left to the API to judge."""
        granted = self._granted.split() if self._granted is not None else token_scopes(token)
        if granted is not None and CREATE not in granted:
            raise AuthorizationError(
                f"The token of {self.config.client_id} lacks the {CREATE} scope (it has: "
                f"{' '.join(sorted(granted)) or 'none'}): grant it to the client (the issuer's "
                "admin, or the Auth0 API's permissions), and to OAUTH_SCOPE if set; nothing was sent"
            )

    def _cached(self) -> str | None:
        if self._memory is None:
            self._memory = self._read_cache()
        if self._memory is not None and self._memory[1] > time.time():
            return self._memory[0]
        return None

    def _read_cache(self) -> tuple[str, float] | None:
        if self.memory_only:
            return None
        try:
            cached = json.loads(self.cache_path.read_text())
            return str(cached["access_token"]), float(cached["refresh_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_cache(self, access_token: str, refresh_at: float) -> None:
        if self.memory_only:
            return
        partial = self.cache_path.with_suffix(".tmp")
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as file:
                json.dump({"access_token": access_token, "refresh_at": refresh_at}, file)
            os.replace(partial, self.cache_path)
        except OSError as exc:
            if not self._cache_warned:
                logger.warning(
                    "Cannot write the token cache in %s (%s): the token is kept in memory for this run",
                    self.cache_path.parent,
                    exc.strerror or exc,
                )
                self._cache_warned = True
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)

    def _fetch(self) -> str:
        config = self.config
        token_url = config.token_url or discover_token_url(config.issuer or "", self.session)
        data = {"grant_type": "client_credentials"}
        if config.audience_param != "none":
            data[config.audience_param] = config.audience
        if config.scope:
            data["scope"] = config.scope
        auth = None
        if config.auth_method == "client_secret_basic":
            auth = (config.client_id, config.client_secret)
        else:
            data |= {"client_id": config.client_id, "client_secret": config.client_secret}

        where = "the API" if config.issuer_variable == "TIMESHEETS_API_URL" else "the issuer"
        hint = f"is {where} running? check {config.issuer_variable}"
        # No redirect is followed, even within the origin: the secret goes to the token URL only.
        response = send(
            self.session,
            "POST",
            token_url,
            self.policy,
            data=data,
            auth=auth,
            hint=hint,
            allow_redirects=False,
        )
        body = _json_or_none(response)
        shown = public_url(token_url)
        if response.is_redirect:
            raise ConfigurationError(
                f"The token endpoint {shown} redirects (HTTP {response.status_code}) to "
                f"{public_url(response.headers['Location'])}: the client secret is sent only to the "
                f"configured token URL; check {config.issuer_variable}"
            )
        if response.status_code in (400, 401, 403):
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            raise AuthorizationError(
                f"The token endpoint {shown} refused the client credentials of {config.client_id}: "
                f"{error or response.status_code}" + (f" ({description})" if description else "")
            )
        if 400 <= response.status_code < 500:  # 429 was retried: no such endpoint, or not a token endpoint
            raise ConfigurationError(
                f"The token endpoint {shown} answered HTTP {response.status_code}: "
                f"check {config.issuer_variable}" + _derived(config)
            )
        if not response.ok or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise TransientError(
                f"The token endpoint {shown} answered HTTP {response.status_code} without a token"
            )
        expires_in = body.get("expires_in")
        expires_in = expires_in if isinstance(expires_in, int) else 300
        refresh_at = time.time() + expires_in - min(EXPIRY_MARGIN_SECONDS, expires_in / 10)
        self._memory = (body["access_token"], refresh_at)
        self._granted = body.get("scope") if isinstance(body.get("scope"), str) else None
        self._write_cache(body["access_token"], refresh_at)
        logger.info("Fetched an access token from %s", shown)
        return body["access_token"]


def token_scopes(token: str) -> set[str] | None:
    """The scopes a JWT names in its claims (`scope`, Auth0's `permissions`), unverified; None
    for a token that is not a JWT or names none."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    if not isinstance(claims, dict):
        return None
    scope, permissions = claims.get("scope"), claims.get("permissions")
    if not isinstance(scope, str) and not isinstance(permissions, list):
        return None
    return set(scope.split() if isinstance(scope, str) else []) | {
        name for name in permissions or [] if isinstance(name, str)
    }


def _derived(config: ImporterConfig) -> str:
    """How the token URL was made from the variable, when it is not the variable itself."""
    if config.issuer_variable == "TIMESHEETS_API_URL":
        return " (the token URL is the API's URL + /oauth/token; set OAUTH_TOKEN_URL to use another)"
    if config.issuer_variable == "OAUTH_ISSUER":
        return " (the token URL is the one the issuer's metadata names)"
    return ""


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class TimesheetsClient:
    """The API's two writes, each with a bearer token renewed once when the API refuses it:
    POST /timesheets/batch and POST /timesheets/reconcile."""

    def __init__(
        self, config: ImporterConfig, tokens: TokenProvider, policy: RetryPolicy, *, dry_run: bool = False
    ) -> None:
        self.api_url = config.api_url
        # A dry run is the API's own preview: each item's would-be result, nothing written.
        self.batch_url = f"{config.api_url}/timesheets/batch" + ("?dry_run=true" if dry_run else "")
        self.reconcile_url = f"{config.api_url}/timesheets/reconcile"
        self.tokens = tokens
        self.policy = policy
        self.session = tokens.session

    def post_batch(self, body: bytes, count: int) -> list[dict[str, Any]]:
        """The API's results for a JSON array of `count` entries, encoded as `body`."""
        shown = public_url(self.batch_url)
        # Each batch on a connection of its own: the API's workers are processes, and a
        # kept-alive connection stays with the one that accepted it. With two batches in
        # flight, both connections landed on one worker in two runs of three, and that
        # worker did all the work while the other idled (PostgreSQL: 10,300 and 12,500
        # entries/s, against 13,100 to 14,700 with the batches split). A new connection
        # tends to go to the worker that is free to accept it, for one TCP connect per batch.
        response = self._authorized(
            self.batch_url,
            # 403 too: a token issued before the client was granted the scope; a new one may do.
            renew_on=(401, 403),
            data=body,
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
        if response.status_code == 401:
            raise AuthorizationError(
                f"{shown} refused a fresh token (HTTP 401): check OAUTH_AUDIENCE and the API's OAUTH_ISSUER"
            )
        if response.status_code == 413:
            raise BodyTooLarge(f"{shown} answered HTTP 413 to a body of {len(body):,} bytes")
        answer = _json_or_none(response)
        if response.status_code == 403:
            required = answer.get("required_scopes") if isinstance(answer, dict) else None
            raise AuthorizationError(f"{shown} refused the token for lack of scope (HTTP 403): {required}")
        if response.status_code != 200:
            raise TransientError(
                f"{shown} answered the batch with HTTP {response.status_code}: {str(answer)[:300]}"
            )
        if not _is_batch_answer(answer, count):
            raise TransientError(f"{shown}: the answer to the batch is not a list of results, one per entry")
        return answer

    def reconcile(self, body: dict[str, Any]) -> dict[str, Any]:
        """The API's answer to a deletion request for one tool's window: {"deleted", "conflicts"}."""
        response = self._authorized(self.reconcile_url, renew_on=(401,), json=body)
        if response.status_code in (401, 403):
            raise AuthorizationError(
                f"The API refused the deletions for {body['prefix']} keys: HTTP {response.status_code}"
            )
        answer = _json_or_none(response)
        if (
            response.status_code != 200
            or not isinstance(answer, dict)
            or not all(isinstance(answer.get(name), list) for name in ("deleted", "conflicts"))
        ):
            raise TransientError(f"The API answered the deletions with HTTP {response.status_code}")
        return answer

    def _authorized(
        self, url: str, *, renew_on: tuple[int, ...], headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        """A POST with the current token; when the API answers one of `renew_on` (the token
        was revoked, or the issuer's keys changed), once more with a renewed token."""
        token = self.tokens.token()
        response = self._post(url, token, headers, **kwargs)
        if response.status_code in renew_on:
            response = self._post(url, self.tokens.renew(refused=token), headers, **kwargs)
        return response

    def _post(self, url: str, token: str, headers: dict[str, str] | None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        hint = "is the API running? check TIMESHEETS_API_URL"
        return send(self.session, "POST", url, self.policy, headers=headers, hint=hint, **kwargs)


def _is_batch_answer(body: Any, size: int) -> bool:
    return (
        isinstance(body, list)
        and len(body) == size
        and all(isinstance(result, dict) and result.get("status") in BATCH_STATUSES for result in body)
    )
