from __future__ import annotations

import argparse
import itertools
import logging
import sys
from contextlib import ExitStack
from pathlib import Path

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

from importer import pipeline
from importer.client import AuthorizationError, RetryPolicy, TimesheetsClient, TokenProvider, TransientError
from importer.config import ConfigurationError, cache_dir, load_config
from importer.formats import FORMATS, items_for
from importer.lock import LockUnavailable, single_run
from importer.report import Report
from importer.sources import SourceError, check_sources, read_rows

logger = logging.getLogger("importer")

EXIT_CONFIGURATION = 2


class Command(BaseCommand):
    help = "Imports timesheet entries from exports into the Timesheets API, over HTTP, exactly once."
    # A client of the API, possibly on another machine: the server's checks are not its business.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "sources", nargs="+", metavar="SOURCE", help="a .csv, .json or .jsonl file, -, or a URL"
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
        parser.add_argument("--batch-size", type=_batch_size, default=500)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="ask the API what each row would become (created, updated, unchanged, conflict, "
            "invalid) and write nothing; needs credentials like a real run",
        )
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
        problem: str | None = None
        with ExitStack() as resources:
            try:
                self._run(report, options, resources)
            except (ConfigurationError, AuthorizationError, SourceError, LockUnavailable) as exc:
                problem = str(exc)
            finally:
                report.close()
        summary = report.summary
        self.stdout.write(summary.as_json() if options["as_json"] else summary.line())
        if problem is not None:
            raise CommandError(problem, returncode=EXIT_CONFIGURATION)
        if summary.exit_code:
            raise CommandError("Some rows were not imported; each one is reported above.", returncode=1)

    def _run(self, report: Report, options: dict, resources: ExitStack) -> None:
        sources: list[str] = options["sources"]
        check_sources(sources)
        rows = pipeline.counted(itertools.chain.from_iterable(map(read_rows, sources)), report)
        items = items_for(
            rows,
            options["format"],
            users=options["users"],
            column_map=options["column_map"],
            day_first=options["day_first"],
        )
        config = load_config()
        policy = RetryPolicy(total_seconds=options["retry_for"], read_timeout=options["timeout"])
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
            client = TimesheetsClient(config, tokens, policy, dry_run=options["dry_run"])
            pipeline.send_items(items, client, report, options["batch_size"])

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
