"""One log format for the server and the import job: plain lines on standard error.

Both run where a supervisor (systemd, cron's mail, a container runtime) collects standard
error, so neither writes files of its own. Both stamp their lines in UTC with the offset
written out (`2026-12-06T01:07:30.123+00:00`), so that the importer's lines, the server's and
the API's own timestamps read on one clock whatever the machines' time zones.
"""

from __future__ import annotations

import logging
import time
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class UtcFormatter(logging.Formatter):
    """LOG_FORMAT's time as ISO 8601 in UTC, with its offset."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}+00:00"


def stderr_logging(*apps: str) -> dict[str, Any]:
    """Django's LOGGING: warnings from everything, and the information `apps` log too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"()": UtcFormatter, "format": LOG_FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {app: {"level": "INFO"} for app in apps},
    }
