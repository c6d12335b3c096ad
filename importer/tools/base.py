"""What every tracker pull shares: credentials, paged HTTP with the API's retry rules, failures,
and the pull as a stream of rows shaped as the tool's export (importer/layouts.py).

A pull either completes or fails as a whole. `TrackerFailed` (5xx or 429 after the retry
budget, a timeout, an answer that is not the documented JSON) makes the run count the
source's entries as failed and delete nothing for it; `TrackerRefused` (401/403) stops the
run before anything is sent, as bad API credentials do.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import requests
from tqdm import tqdm

from common.env import envsecret

from .. import limits
from ..client import AuthorizationError, RetryPolicy, TransientError, send
from ..config import ConfigurationError, api_url, http_url
from ..http import SameOriginSession, origin, shown
from ..layouts import Layout
from ..sources import SourceRow
from ..window import Window

logger = logging.getLogger(__name__)

# How the row that ends a broken pull starts; what follows is the reason.
BROKE_OFF = "The pull broke off here: "


class TrackerRefused(AuthorizationError):
    """The tracker refused the credentials or the account: a person must act; exit status 2."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TrackerFailed(Exception):
    """The pull did not complete; nothing of it may delete anything."""


class Tracker:
    """One account of one tool, pulled over HTTP; subclasses speak the tool's API."""

    kind: ClassVar[str]
    layout: ClassVar[Layout]  # the tool's export, whose rows the pull yields
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
        self.session = SameOriginSession()
        # Harvest asks for the application's name and a link to it: the API it feeds.
        self.session.headers["User-Agent"] = f"Timesheets importer ({api_url()})"
        self.authenticate(self.session, token)
        self.people: set[str] = set()  # everyone the account knows, by email and name
        self.pages = 0
        self.cursors: set[str] = set()  # every next page asked for: one asked twice is a loop
        self.deadline = time.monotonic() + limits.MAX_PULL_SECONDS
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
        if time.monotonic() > self.deadline:
            raise TrackerFailed(
                f"{self.source}: the pull took over {limits.MAX_PULL_SECONDS:,} s (its limit)"
            )
        try:
            hint = f"is {self.url_variable} right, and the tracker reachable from here?"
            response = send(self.session, method, url, self.policy, hint=hint, **kwargs)
        except TransientError as exc:
            raise TrackerFailed(f"{self.source}: {exc}") from None
        if response.status_code in (401, 403):
            raise TrackerRefused(
                f"{self.source}: the tracker refused the credentials in {self.credential} "
                f"(HTTP {response.status_code}); check the token and that it may read account {self.account}",
                response.status_code,
            )
        if not response.ok:
            raise TrackerFailed(f"{self.source}: {method} {url} answered HTTP {response.status_code}")
        self.pages += 1
        self.progress.update(1)
        return response

    def next_page(self, cursor: str, number: int, announced: int | None = None) -> None:
        """Before asking for page `number`, which `cursor` names (a link, an id, a page number):
        fails the pull when the tracker names a page twice, or pages past the total it
        announced, or past MAX_PAGES. A tracker paging for ever would hold the job, and its lock."""
        if cursor in self.cursors:
            raise TrackerFailed(f"{self.source}: the tracker named the same next page twice ({cursor[:100]})")
        self.cursors.add(cursor)
        # One page past the total is asked for when the last page was full (Clockify): it is empty.
        if announced is not None and number > announced + 1:
            raise TrackerFailed(
                f"{self.source}: the tracker pages past the {announced:,} pages it announced "
                f"(page {number:,})"
            )
        if number > limits.MAX_PAGES:
            raise TrackerFailed(f"{self.source}: over {limits.MAX_PAGES:,} pages (the pull's limit)")

    def same_origin(self, url: str) -> str:
        """A next-page link the tracker gave, if it stays with the configured origin: the token
        goes only there (importer/http.py)."""
        if origin(url) != origin(self.base_url):
            raise TrackerFailed(
                f"{self.source}: a next page on another origin ({shown(url)}); "
                f"the token is sent only to {self.url_variable}'s origin"
            )
        return url

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
    return http_url(variable, os.getenv(variable) or default).rstrip("/")


def pull_rows(tracker: Tracker, window: Window) -> Iterator[SourceRow]:
    """The tracker's entries as rows. A pull that fails ends its rows with one row for what it
    could not pull (BROKE_OFF and the reason), which counts as failed and stops the tool's
    deletions (so a pull failing on its first page still makes the run exit 1)."""
    line = 0
    try:
        for data in tracker.entries(window):
            line += 1
            yield SourceRow(tracker.source, line, data)
    except TrackerFailed as exc:
        logger.error("%s; its entries count as failed and nothing is deleted for it", exc)
        yield SourceRow(tracker.source, line + 1, None, error=f"{BROKE_OFF}{exc}")
    else:
        logger.info("%s: %d time entries in %d pages", tracker.source, line, tracker.pages)
    finally:
        tracker.close()


def clock(seconds: float) -> str:
    """Seconds as the exports write a duration, h:mm:ss."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def expect(condition: bool, source: str, what: str) -> None:
    if not condition:
        raise TrackerFailed(f"{source}: the answer is not as documented ({what})")
