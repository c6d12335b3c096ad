"""One import run, from the sources to the summary: what the command does, without its arguments."""

from __future__ import annotations

import itertools
import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests

from . import pipeline
from .client import RetryPolicy, TimesheetsClient, TokenProvider, TransientError
from .config import load_config
from .formats import items_for
from .lock import AlreadyRunning, LockUnavailable, single_run
from .rejects import RejectsFile
from .report import Report
from .sources import check_sources, read_rows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOptions:
    sources: list[str]
    format: str = "auto"
    users: str | None = None
    column_map: str | None = None
    day_first: bool = False
    batch_size: int = 500
    dry_run: bool = False
    rejects: Path | None = None
    lock_wait: float = 60
    retry_for: float = 120
    timeout: float = 60


def run_import(options: ImportOptions, report: Report) -> None:
    """Reads, sends and accounts for every row. Raises what is exit status 2 (configuration,
    credentials, authorization, the lock), after counting every row it read."""
    check_sources(options.sources)
    rows = pipeline.counted(itertools.chain.from_iterable(map(read_rows, options.sources)), report)
    items = items_for(
        rows, options.format, users=options.users, column_map=options.column_map, day_first=options.day_first
    )
    config = load_config()
    policy = RetryPolicy(total_seconds=options.retry_for, read_timeout=options.timeout)
    with ExitStack() as stack:
        memory_only = False
        try:
            stack.enter_context(single_run(config.cache_dir / "import.lock", options.lock_wait))
        except AlreadyRunning:
            raise
        except LockUnavailable as exc:
            # The cache folder is optional: overlapping runs stay safe, since the API keys every row.
            logger.warning("%s: running without the lock, with the token in memory", exc)
            memory_only = True
        if options.rejects is not None:
            report.rejects = stack.enter_context(RejectsFile(options.rejects))
            report.rejects_name = str(options.rejects)
        session = stack.enter_context(requests.Session())
        tokens = TokenProvider(config, session, policy, memory_only=memory_only)
        try:
            tokens.token()  # wrong credentials stop the run here, before anything is sent
        except TransientError as exc:
            logger.error("No access token, so nothing was sent: %s", exc)
            pipeline.fail_all(items, report, f"No access token: {exc}")
            return
        client = TimesheetsClient(config, tokens, policy, dry_run=options.dry_run)
        pipeline.send_items(items, client, report, options.batch_size)
