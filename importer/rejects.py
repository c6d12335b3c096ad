"""The --rejects file: this run's refused rows only, replacing the last run's all at once."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from .config import ConfigurationError

logger = logging.getLogger(__name__)


class RejectsFile:
    """Written beside PATH under a temporary name, renamed onto PATH when the run ends.

    A cron job's file therefore never grows with the same rows every five minutes, and
    whoever reads it sees the last run's whole list, never half of one. It is opened once
    the run holds its lock, so a run that waits for the lock leaves the file alone.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        except OSError as exc:
            raise ConfigurationError(f"--rejects {path}: {exc.strerror}") from None
        self.file: IO[str] = os.fdopen(fd, "w", encoding="utf-8")

    def __enter__(self) -> IO[str]:
        return self.file

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.file.close()
            os.replace(self.partial, self.path)
        except OSError as exc:
            logger.error("Cannot write --rejects %s: %s", self.path, exc.strerror or exc)
            with contextlib.suppress(OSError):
                self.partial.unlink()
