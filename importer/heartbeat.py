"""A cron job's dead-man's switch: pings a monitor when a run starts and how it ends.

As healthchecks.io expects (and Cronitor's healthchecks-style URLs): `URL/start` when the run
starts, `URL` when it ends with exit status 0, `URL/fail` when it ends otherwise; the
monitor alerts when the pings stop coming. The end pings carry the summary line, which
healthchecks.io shows beside the ping. The URL's path is a secret (whoever knows it can
ping), so messages name only its scheme and host. A ping that fails is one warning: it
never fails the import, nor holds it up for long.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

import requests

from .config import is_http_url
from .http import OffOriginRedirect, SameOriginSession

logger = logging.getLogger(__name__)

TIMEOUT = (3, 5)  # seconds to connect, to answer
ENV = "TIMESHEETS_HEARTBEAT_URL"


class Heartbeat:
    def __init__(self, url: str | None) -> None:
        url = url or os.getenv(ENV) or None
        if url is not None and not is_http_url(url):
            logger.warning("The heartbeat URL is not an http(s):// URL: no pings are sent")
            url = None
        self.url = url.rstrip("/") if url else None

    def start(self) -> None:
        self._ping("/start", "")

    def finish(self, exit_code: int, summary: str) -> None:
        self._ping("" if exit_code == 0 else "/fail", summary)

    def _ping(self, suffix: str, body: str) -> None:
        if self.url is None:
            return
        parts = urlsplit(self.url)
        shown = f"{parts.scheme}://{parts.hostname}/…"
        try:
            with SameOriginSession() as session:
                response = session.post(self.url + suffix, data=body.encode(), timeout=TIMEOUT)
        except OffOriginRedirect:
            logger.warning("The heartbeat ping to %s redirects to another origin: not followed", shown)
            return
        except requests.RequestException as exc:
            logger.warning("The heartbeat ping to %s failed: %s", shown, exc.__class__.__name__)
            return
        if not response.ok:
            logger.warning("The heartbeat ping to %s answered HTTP %d", shown, response.status_code)
