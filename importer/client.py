"""The importer's HTTP side: an access token by the client credentials grant, and batches to the API."""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from .config import ImporterConfig, discover_token_url

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
    session: requests.Session, method: str, url: str, policy: RetryPolicy, **kwargs: Any
) -> requests.Response:
    """The first answer that is not 429 or 5xx; connection errors and those are retried.

    Retrying a POST is safe here: every entry carries an external_id, so a batch the
    server wrote before the connection broke comes back `unchanged`.
    """
    deadline = time.monotonic() + policy.total_seconds
    attempt = 0
    while True:
        try:
            response = session.request(method, url, timeout=(CONNECT_TIMEOUT, policy.read_timeout), **kwargs)
        except requests.RequestException as exc:  # refused, reset, timed out, cut short
            problem, wait = exc.__class__.__name__, policy.backoff(attempt)
        else:
            if response.status_code != 429 and response.status_code < 500:
                return response
            problem = f"HTTP {response.status_code}"
            asked = retry_after(response)
            wait = policy.backoff(attempt) if asked is None else asked
        attempt += 1
        if time.monotonic() + wait > deadline:
            raise TransientError(f"{method} {url}: {problem}, {attempt} attempts")
        logger.warning("%s %s: %s; retrying in %.1f s", method, url, problem, wait)
        time.sleep(wait)


class TokenProvider:
    """Client credentials tokens, cached in a 0600 file across runs.

    Auth0 counts machine-to-machine tokens: a job that runs every five minutes reuses
    one token until shortly before it expires instead of asking for one each run.
    """

    def __init__(self, config: ImporterConfig, session: requests.Session, policy: RetryPolicy) -> None:
        self.config = config
        self.session = session
        self.policy = policy
        self._lock = threading.Lock()
        key = "|".join(
            [config.token_url or config.issuer or "", config.client_id, config.audience, config.scope or ""]
        )
        self.cache_path = config.cache_dir / f"token-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"

    def token(self) -> str:
        with self._lock:  # batches in flight ask together; one of them fetches
            cached = self._read_cache()
            return cached if cached is not None else self._fetch()

    def renew(self, refused: str) -> str:
        """For a token the API refused (revoked, or the keys changed): fetch anew, once for all batches."""
        with self._lock:
            cached = self._read_cache()
            if cached is not None and cached != refused:
                return cached  # another batch renewed it already
            self.cache_path.unlink(missing_ok=True)
            return self._fetch()

    def _read_cache(self) -> str | None:
        try:
            cached = json.loads(self.cache_path.read_text())
            if cached["refresh_at"] > time.time():
                return cached["access_token"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _write_cache(self, access_token: str, expires_in: int) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = self.cache_path.with_suffix(".tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        refresh_at = time.time() + expires_in - min(EXPIRY_MARGIN_SECONDS, expires_in / 10)
        with os.fdopen(fd, "w") as file:
            json.dump({"access_token": access_token, "refresh_at": refresh_at}, file)
        os.replace(partial, self.cache_path)

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

        response = send(self.session, "POST", token_url, self.policy, data=data, auth=auth)
        body = _json_or_none(response)
        if response.status_code in (400, 401, 403):
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            raise AuthorizationError(
                f"The token endpoint refused the client credentials: {error or response.status_code}"
                + (f" ({description})" if description else "")
            )
        if not response.ok or not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise TransientError(f"The token endpoint answered HTTP {response.status_code} without a token")
        expires_in = body.get("expires_in")
        self._write_cache(body["access_token"], expires_in if isinstance(expires_in, int) else 300)
        logger.info("Fetched an access token from %s", token_url)
        return body["access_token"]


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class TimesheetsClient:
    """POST /timesheets/batch with a bearer token, renewed once when the API refuses it."""

    def __init__(self, config: ImporterConfig, tokens: TokenProvider, policy: RetryPolicy) -> None:
        self.api_url = config.api_url
        self.batch_url = f"{config.api_url}/timesheets/batch"
        self.tokens = tokens
        self.policy = policy
        self.session = tokens.session

    def post_batch(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        token = self.tokens.token()
        response = self._post(entries, token)
        if response.status_code in (401, 403):
            # Revoked, or issued before the client was granted the scope: a new token may do.
            response = self._post(entries, self.tokens.renew(refused=token))
            if response.status_code == 401:
                raise AuthorizationError(
                    "The API refused a fresh token: check OAUTH_AUDIENCE and the API's OAUTH_ISSUER"
                )
        body = _json_or_none(response)
        if response.status_code == 403:
            required = body.get("required_scopes") if isinstance(body, dict) else None
            raise AuthorizationError(f"The API refused the token for lack of scope: {required}")
        if response.status_code != 200:
            raise TransientError(f"The API answered the batch with HTTP {response.status_code}: {body}")
        if not _is_batch_answer(body, len(entries)):
            raise TransientError("The API's answer to the batch is not a list of results, one per entry")
        return body

    def _post(self, entries: list[dict[str, Any]], token: str) -> requests.Response:
        return send(
            self.session,
            "POST",
            self.batch_url,
            self.policy,
            json=entries,
            headers={"Authorization": f"Bearer {token}"},
        )


def _is_batch_answer(body: Any, size: int) -> bool:
    return (
        isinstance(body, list)
        and len(body) == size
        and all(isinstance(result, dict) and result.get("status") in BATCH_STATUSES for result in body)
    )
