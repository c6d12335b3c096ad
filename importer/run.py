"""One import run, from the sources to the summary: what the command does, without its arguments."""

from __future__ import annotations

import itertools
import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from . import pipeline
from .client import RetryPolicy, TimesheetsClient, TokenProvider, TransientError
from .config import load_config
from .deletions import Deletions
from .formats import items_for
from .http import SameOriginSession
from .lock import AlreadyRunning, LockUnavailable, single_run
from .reconcile import reconcile
from .rejects import RejectsFile
from .report import Report
from .sources import check_sources, read_rows
from .tools import open_trackers, pull_rows, tracker_kind
from .tools.base import Tracker
from .window import Window

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
    since: str | None = None
    until: str | None = None
    time_zone: str = "UTC"
    progress: bool = False  # the trackers' pages bars, on a terminal


def run_import(options: ImportOptions, report: Report) -> None:
    """Reads (files, URLs, trackers' APIs), sends, deletes what the trackers lost, and accounts
    for every row. Raises what is exit status 2 (configuration, credentials of the API or of a
    tracker, authorization, the lock), after counting every row it read."""
    window = Window.from_options(options.since, options.until, options.time_zone)
    policy = RetryPolicy(total_seconds=options.retry_for, read_timeout=options.timeout)
    files = [source for source in options.sources if tracker_kind(source) is None]
    check_sources(files)
    pulls = open_trackers(options.sources, policy, progress=options.progress)
    try:
        _run(options, report, policy, window, files, pulls)
    finally:
        for tracker in pulls:  # a pull never started (a configuration error) holds its session
            tracker.close()


def _run(
    options: ImportOptions,
    report: Report,
    policy: RetryPolicy,
    window: Window,
    files: list[str],
    pulls: list[Tracker],
) -> None:
    deletions = Deletions(window, {tracker.source: f"{tracker.kind}:" for tracker in pulls})
    # Pulls first: a tracker refusing its credentials stops the run before any batch is sent
    # (a pull's rows are summed weekly, so no item of it leaves before its last page).
    streams = [pull_rows(tracker, window) for tracker in pulls] + [read_rows(source) for source in files]
    rows = pipeline.counted(itertools.chain.from_iterable(streams), report)
    items = items_for(
        rows,
        options.format,
        users=options.users,
        column_map=options.column_map,
        day_first=options.day_first,
        deletions=deletions,
    )
    config = load_config()
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
        session = stack.enter_context(SameOriginSession())
        tokens = TokenProvider(config, session, policy, memory_only=memory_only)
        try:
            # Wrong credentials, or a token without the scope, stop the run here, before anything is sent.
            tokens.check_scope(tokens.token())
        except TransientError as exc:
            logger.error("No access token, so nothing was sent: %s", exc)
            pipeline.fail_all(items, report, f"No access token: {exc}")
            return
        client = TimesheetsClient(config, tokens, policy, dry_run=options.dry_run)
        pipeline.send_items(items, client, report, options.batch_size)
        # What the trackers lost goes too (a dry run asks what would go): only once every
        # source was read to its end, so a pull that broke off deletes nothing.
        deletion_requests = deletions.requests({tracker.source: tracker.people for tracker in pulls})
        reconcile(deletion_requests, client, report, dry_run=options.dry_run)
