from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockUnavailable(Exception):
    """No run lock could be had: another run holds it, or it cannot be created."""


class AlreadyRunning(LockUnavailable):
    """Another run holds the lock: exit status 2, nothing sent."""


@contextmanager
def single_run(path: Path, wait_seconds: float) -> Iterator[None]:
    """Holds an exclusive lock for the run, so two overlapping cron runs never both import.

    The second waits for the first up to `wait_seconds`, then gives up. The lock is the
    kernel's, so it is released even when a run is killed.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_file = open(path, "a")
    except OSError as exc:
        raise LockUnavailable(
            f"Cannot create the run lock {path}: {exc.strerror} (set TIMESHEETS_CACHE_DIR)"
        ) from None
    deadline = time.monotonic() + wait_seconds
    with lock_file:
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise AlreadyRunning(f"Another import holds {path}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
