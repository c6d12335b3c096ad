"""Every outbound HTTP session of the importer: credentials stay with the origin they were set for.

requests follows redirects to any host, re-sending a 307's body (the client secret of a token
request) and every header but `Authorization` (Clockify's `X-Api-Key`, Harvest's
`Harvest-Account-Id`) to wherever `Location` points. The importer's sessions refuse a redirect
that leaves the origin (scheme, host and port) of the request it answers: the token endpoint,
the trackers, a URL source and the heartbeat all answer from where they were configured, or the
run says which URL redirected where, and sends nothing there.

A body is read here too, within a size and a time: a page larger than MAX_PAGE_BYTES, or
dripping in slower than the request's deadline allows, ends the request instead of the job.
A redirect's body is not read at all.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from common.http import read_within, shown

from . import limits
from .config import ConfigurationError

DEFAULT_PORTS = {"http": 80, "https": 443}


class OffOriginRedirect(ConfigurationError):
    """A configured URL redirected to another origin: nothing is sent there; exit status 2."""


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


class SameOriginSession(requests.Session):
    """A requests.Session that follows redirects within the request's origin only."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target is None:
            return None
        # requests hands back Location as sent (latin-1 decoded); relative ones join the request's URL.
        absolute = urljoin(resp.url, target)
        if origin(absolute) != origin(resp.url):
            resp.close()
            raise OffOriginRedirect(
                f"{shown(resp.url)} redirects (HTTP {resp.status_code}) to another origin, "
                f"{shown(absolute)}: the importer sends its credentials only where they were "
                "configured; set the URL to the final address"
            )
        # requests reads a redirect's body (resolve_redirects) whole, with no size or time
        # limit but the per-read timeout. Nothing in it is used: drop the connection unread.
        resp.close()
        resp._content = b""
        resp._content_consumed = True  # type: ignore[attr-defined]
        return target


def read_body(response: requests.Response, deadline: float, max_bytes: int | None = None) -> bytes:
    """The whole body of a streamed response within `max_bytes` (MAX_PAGE_BYTES unless given)
    and `deadline` (time.monotonic()), or BodyLimit (common/http.py)."""
    return read_within(response, deadline, limits.MAX_PAGE_BYTES if max_bytes is None else max_bytes)


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    max_bytes: int | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One request, its body read whole within `max_bytes` and within the read timeout, counted
    for the whole answer rather than per read."""
    deadline = time.monotonic() + timeout[0] + timeout[1]
    response = session.request(method, url, timeout=timeout, stream=True, **kwargs)
    read_body(response, deadline, max_bytes)
    return response
