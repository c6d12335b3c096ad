from __future__ import annotations

import argparse
import itertools
import logging
import sys
from contextlib import ExitStack
from pathlib import Path

import requests
from django.core.management.base import BaseCommand, CommandParser

from importer import pipeline
from importer.client import AuthorizationError, RetryPolicy, TimesheetsClient, TokenProvider, TransientError
from importer.config import ConfigurationError, cache_dir, load_config
from importer.formats import FORMATS, items_for
from importer.lock import LockUnavailable, single_run
from importer.report import Report
from importer.sources import SourceError, check_sources, read_rows
from importer.trackers import Scopes, Window, open_trackers, pulled_rows, tracker_kind
from importer.trackers.reconcile import reconcile

logger = logging.getLogger("importer")

EXIT_CONFIGURATION = 2


class Command(BaseCommand):
    help = (
        "Imports timesheet entries into the Timesheets API, over HTTP, exactly once: from exports, "
        "or pulled from Toggl Track, Clockify and Harvest accounts, whose deleted time is deleted too."
    )
    # A client of the API, possibly on another machine: the server's checks are not its business.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "sources",
            nargs="+",
            metavar="SOURCE",
            help="a .csv, .json or .jsonl file, -, a URL, or a tracker account: toggl:WORKSPACE_ID "
            "(TOGGL_API_TOKEN), clockify:WORKSPACE_ID (CLOCKIFY_API_KEY), harvest:ACCOUNT_ID "
            "(HARVEST_ACCESS_TOKEN); each token also as NAME_FILE",
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="auto", help="auto: native or a tool's export, by the header"
        )
        parser.add_argument(
            "--users",
            metavar="MAP.csv",
            help="who the people of a time-tracker export are: person,user_id[,user_type]",
        )
        parser.add_argument(
            "--map",
            dest="column_map",
            metavar="FIELD=COLUMN,...",
            help="another tool's CSV: the column of each entry field, or of person, date and duration",
        )
        parser.add_argument(
            "--day-first", action="store_true", help="read dates like 03/01/2021 as day/month/year"
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="first day of the window, widened to its Monday (trackers: default four ISO weeks "
            "before this week's Monday); with --since or --until, a tracker export file is the whole "
            "truth for the window and what it lacks is deleted",
        )
        parser.add_argument(
            "--until",
            metavar="YYYY-MM-DD",
            help="last day of the window, widened to its Sunday (default: today)",
        )
        parser.add_argument(
            "--time-zone",
            default="UTC",
            metavar="ZONE",
            help="IANA time zone in which a tracker entry's start decides its day (default UTC)",
        )
        parser.add_argument("--batch-size", type=_batch_size, default=500)
        parser.add_argument("--dry-run", action="store_true", help="validate only; send nothing")
        parser.add_argument("--rejects", type=Path, help="append refused rows to this file (JSONL)")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the summary as JSON")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--lock-wait", type=float, default=60, help="seconds to wait for an import already running"
        )
        parser.add_argument(
            "--retry-for", type=float, default=120, help="seconds to keep retrying a request that fails"
        )
        parser.add_argument(
            "--timeout", type=float, default=60, help="seconds to wait for an answer before retrying"
        )

    def handle(self, *args, **options) -> None:
        report = Report(sys.stderr, progress=not options["no_progress"])
        exit_code = 0
        with ExitStack() as resources:
            try:
                self._run(report, options, resources)
            except (ConfigurationError, AuthorizationError, SourceError, LockUnavailable) as exc:
                logger.error("%s", exc)
                exit_code = EXIT_CONFIGURATION
            finally:
                report.close()
        summary = report.summary
        self.stdout.write(summary.as_json() if options["as_json"] else summary.line())
        exit_code = exit_code or summary.exit_code
        if exit_code:
            raise SystemExit(exit_code)

    def _run(self, report: Report, options: dict, resources: ExitStack) -> None:
        sources: list[str] = options["sources"]
        window = Window.from_options(options["since"], options["until"], options["time_zone"])
        policy = RetryPolicy(total_seconds=options["retry_for"], read_timeout=options["timeout"])
        check_sources([source for source in sources if tracker_kind(source) is None])
        pulls = open_trackers(sources, policy, progress=not options["no_progress"])
        scopes = Scopes(window, {tracker.source: f"{tracker.kind}:" for tracker in pulls})
        # Pulls first: a tracker refusing its credentials stops the run before any batch is sent.
        streams = [pulled_rows(tracker, scopes) for tracker in pulls]
        streams += [read_rows(source) for source in sources if tracker_kind(source) is None]
        rows = pipeline.counted(itertools.chain.from_iterable(streams), report)
        items = items_for(
            rows,
            options["format"],
            users=options["users"],
            column_map=options["column_map"],
            day_first=options["day_first"],
            scopes=scopes,
        )
        if options["dry_run"]:
            self._open_rejects(report, options, resources)
            pipeline.check_items(items, report)
            return

        config = load_config()
        with ExitStack() as stack:
            stack.enter_context(single_run(cache_dir() / "import.lock", options["lock_wait"]))
            # Opened under the lock, for appending: a run waiting for the lock must not
            # truncate the rejects of the run that holds it.
            self._open_rejects(report, options, resources)
            session = stack.enter_context(requests.Session())
            tokens = TokenProvider(config, session, policy)
            try:
                tokens.token()  # wrong credentials stop the run here, before anything is sent
            except TransientError as exc:
                logger.error("No access token, so nothing was sent: %s", exc)
                pipeline.fail_all(items, report, f"No access token: {exc}")
                return
            client = TimesheetsClient(config, tokens, policy)
            pipeline.send_items(items, client, report, options["batch_size"])
            reconcile(scopes, client, report)

    @staticmethod
    def _open_rejects(report: Report, options: dict, resources: ExitStack) -> None:
        if options["rejects"] is None:
            return
        try:
            report.rejects = resources.enter_context(open(options["rejects"], "a"))
        except OSError as exc:
            raise ConfigurationError(f"--rejects {options['rejects']}: {exc.strerror}") from None


def _batch_size(value: str) -> int:
    size = int(value)
    if not 1 <= size <= 1000:
        raise argparse.ArgumentTypeError("must be from 1 to 1000")
    return size
