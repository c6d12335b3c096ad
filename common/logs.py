"""One log format for the server and the import job: plain lines on standard error.

Both run where a supervisor (systemd, cron's mail, a container runtime) collects standard
error, so neither writes files of its own.
"""

from __future__ import annotations

from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def stderr_logging(*apps: str) -> dict[str, Any]:
    """Django's LOGGING: warnings from everything, and the information `apps` log too."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
        "loggers": {app: {"level": "INFO"} for app in apps},
    }
