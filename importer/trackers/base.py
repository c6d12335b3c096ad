"""What every tracker pull shares: credentials, paged HTTP with the API's retry rules, failures.

A pull either completes or fails as a whole. `TrackerFailed` (5xx or 429 after the retry
budget, a timeout, an answer that is not the documented JSON) makes the run count the
source's entries as failed and delete nothing for it; `TrackerRefused` (401/403) stops the
run before anything is sent, as bad API credentials do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from common.env import envsecret

from ..client import AuthorizationError, RetryPolicy, TransientError, send
from ..config import ConfigurationError
from .window import Window

# Marks a running timer among a pull's rows: it is read, counted, and left out of the sums.
RUNNING = "(running)"


class TrackerRefused(AuthorizationError):
    """The tracker refused the credentials or the account: a person must act; exit status 2."""


class TrackerFailed(Exception):
    """The pull did not complete; nothing of it may delete anything."""


class Tracker:
    """One account of one tool, pulled over HTTP; subclasses speak the tool's API."""

    kind: ClassVar[str]
    credential: ClassVar[str]  # the environment variable holding the token (or NAME_FILE)
    url_variable: ClassVar[str]
    default_url: ClassVar[str]

    def __init__(self, account: str, policy: RetryPolicy, *, progress: bool = False) -> None:
        if not account.strip() or any(ch in account for ch in "/?#\\ "):
            raise ConfigurationError(f"{self.kind}:{account}: not an account id.")
        token = envsecret(self.credential)
        if not token:
            raise ConfigurationError(
                f"{self.kind}:{account} needs {self.credential} (or {self.credential}_FILE)."
            )
        self.account = account
        self.source = f"{self.kind}:{account}"
        self.policy = policy
        self.base_url = base_url(self.url_variable, self.default_url)
        self.session = requests.Session()
        # Harvest asks for the application's name and a link to it: the API it feeds.
        api_url = os.getenv("TIMESHEETS_API_URL", "http://127.0.0.1:8000")
        self.session.headers["User-Agent"] = f"Timesheets importer ({api_url})"
        self.authenticate(self.session, token)
        self.people: set[str] = set()  # everyone the account knows, by email and name
        self.pages = 0
        # disable=None: shown only when standard error is a terminal, like the rows bar.
        self.progress = tqdm(
            desc=self.source, unit=" pages", disable=None if progress else True, file=sys.stderr, leave=False
        )

    def authenticate(self, session: requests.Session, token: str) -> None:
        raise NotImplementedError

    def entries(self, window: Window) -> Iterator[dict[str, Any]]:
        """Every time entry whose start may fall in the window, as the tool's CSV export names its columns."""
        raise NotImplementedError

    def call(self, method: str, path_or_url: str, **kwargs: Any) -> requests.Response:
        """One page: retried on 429 (Retry-After or backoff), 5xx and broken connections."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        try:
            response = send(self.session, method, url, self.policy, **kwargs)
        except TransientError as exc:
            raise TrackerFailed(f"{self.source}: {exc}") from None
        if response.status_code in (401, 403):
            raise TrackerRefused(
                f"{self.source}: the tracker refused the credentials in {self.credential} "
                f"(HTTP {response.status_code}); check the token and that it may read account {self.account}"
            )
        if not response.ok:
            raise TrackerFailed(f"{self.source}: {method} {url} answered HTTP {response.status_code}")
        self.pages += 1
        self.progress.update(1)
        return response

    def json(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        response = self.call(method, path_or_url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise TrackerFailed(f"{self.source}: {path_or_url} answered something that is not JSON") from None

    def close(self) -> None:
        self.progress.close()
        self.session.close()


def base_url(variable: str, default: str) -> str:
    value = os.getenv(variable) or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{variable} must be an http(s):// URL, not {value!r}.")
    return value.rstrip("/")


def clock(seconds: float) -> str:
    """Seconds as the exports write a duration, h:mm:ss."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def expect(condition: bool, source: str, what: str) -> None:
    if not condition:
        raise TrackerFailed(f"{source}: the answer is not as documented ({what})")
