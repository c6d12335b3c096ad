"""A cron job's dead-man's switch: pings a monitor when a run starts and how it ends.

As healthchecks.io's Pinging API has it (https://healthchecks.io/docs/http_api/, and
Cronitor's healthchecks-style URLs): `URL/start` when the run starts; at the end `URL` for a
success and `URL/fail` otherwise, or, with --heartbeat-exit-code, `URL/<exit status>` (0-255),
which the monitor shows as is. Every ping of a run carries the same `rid=<uuid>`, so that the
monitor pairs a start with its end even when runs overlap, and measures each run's duration
(https://healthchecks.io/docs/measuring_script_run_time/). The end pings carry the summary line
and the first reasons rows were refused, which healthchecks.io shows beside the ping.

The URL's path holds its secret (whoever knows it can ping), so messages name its scheme,
host and port, and of the path only the plain words (`/ping/…`). A ping that fails is one
warning: it never fails the import, nor holds it up for long.
"""

from __future__ import annotations

import logging
import os
import uuid
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from .config import is_http_url
from .http import OffOriginRedirect, SameOriginSession, request

logger = logging.getLogger(__name__)

TIMEOUT = (3, 5)  # seconds to connect, to answer
ENV = "TIMESHEETS_HEARTBEAT_URL"
BODY_CHARS = 10_000  # healthchecks.io keeps the first 10 KB of a ping's body


def shown(url: str) -> str:
    """The URL as logs name it: its path's secret parts (a check's uuid, a ping key) as `…`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    words = [part if part.isalpha() and len(part) <= 12 else "…" for part in parts.path.split("/") if part]
    return f"{parts.scheme}://{host}/" + "/".join(words)


class Heartbeat:
    def __init__(self, url: str | None, *, exit_code_pings: bool = False) -> None:
        url = url or os.getenv(ENV) or None
        if url is not None and not is_http_url(url):
            logger.warning("The heartbeat URL is not an http(s):// URL: no pings are sent")
            url = None
        self.url = url.rstrip("/") if url else None
        self.exit_code_pings = exit_code_pings
        self.run_id = str(uuid.uuid4())

    def start(self) -> None:
        self._ping("/start", "")

    def finish(self, exit_code: int, body: str) -> None:
        if self.exit_code_pings:
            suffix = f"/{exit_code}"
        else:
            suffix = "" if exit_code == 0 else "/fail"
        self._ping(suffix, body)

    def _ping(self, suffix: str, body: str) -> None:
        if self.url is None:
            return
        parts = urlsplit(self.url)
        query = "&".join(filter(None, (parts.query, urlencode({"rid": self.run_id}))))
        url = urlunsplit((parts.scheme, parts.netloc, parts.path + suffix, query, ""))
        try:
            with SameOriginSession() as session:
                response = request(session, "POST", url, data=body[:BODY_CHARS].encode(), timeout=TIMEOUT)
        except OffOriginRedirect:
            logger.warning("The heartbeat ping to %s redirects to another origin: not followed", shown(url))
            return
        except requests.RequestException as exc:
            logger.warning("The heartbeat ping to %s failed: %s", shown(url), exc.__class__.__name__)
            return
        if not response.ok:
            logger.warning("The heartbeat ping to %s answered HTTP %d", shown(url), response.status_code)
