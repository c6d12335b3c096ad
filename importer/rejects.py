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
        # A link is followed: the file it names is replaced, the link stays. A device, a pipe
        # or /dev/stderr is written as it is, since nothing can be renamed onto it.
        self.path = Path(os.path.realpath(path))
        special = str(path.absolute()).startswith(("/dev/", "/proc/")) or (
            self.path.exists() and not self.path.is_file()
        )
        self.partial: Path | None = (
            None if special else self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        )
        try:
            if self.partial is None:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND)  # never created, never renamed
            else:
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
            if self.partial is not None:
                os.replace(self.partial, self.path)
        except OSError as exc:
            logger.error("Cannot write --rejects %s: %s", self.path, exc.strerror or exc)
            if self.partial is not None:
                with contextlib.suppress(OSError):
                    self.partial.unlink()
