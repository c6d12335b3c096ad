"""`manage.py import_timesheets`: arguments in, exit status out; the run itself is importer/run.py."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from importer.client import AuthorizationError
from importer.formats import FORMATS
from importer.heartbeat import Heartbeat
from importer.lock import LockUnavailable
from importer.report import Report
from importer.run import ImportOptions, run_import
from importer.sources import SourceError

logger = logging.getLogger("importer")

EXIT_CONFIGURATION = 2
FAIL_ON = ("rejected", "failed")


class Command(BaseCommand):
    help = (
        "Imports timesheet entries into the Timesheets API, over HTTP, exactly once: from exports, "
        "or pulled from Toggl Track, Clockify and Harvest accounts, whose deleted time is deleted too. "
        "Exit status: 0 every row created, updated or unchanged; 1 some rows rejected, in conflict "
        "or failed; 2 configuration, credentials or authorization (see docs/importer.md)."
    )
    # A client of the API, possibly on another machine: the server's checks are not its business.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "sources",
            nargs="+",
            metavar="SOURCE",
            help="a .csv, .json or .jsonl file, -, an http(s) URL, or a tracker account: "
            "toggl:WORKSPACE_ID (TOGGL_API_TOKEN), clockify:WORKSPACE_ID (CLOCKIFY_API_KEY), "
            "harvest:ACCOUNT_ID (HARVEST_ACCESS_TOKEN); each token also as NAME_FILE",
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
        parser.add_argument(
            "--batch-size",
            type=_batch_size,
            default=500,
            metavar="N",
            help="entries per request, 1 to 1000 (default 500); "
            "batches are also cut below the API's body limit",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="ask the API what each row would become (created, updated, unchanged, conflict, "
            "invalid) and which entries a tracker's lost time would delete, and write nothing; "
            "needs credentials like a real run",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            metavar="PATH",
            help="this run's refused rows, one JSON object per line, replacing the last run's file",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the summary as JSON")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")
        parser.add_argument(
            "--lock-wait",
            type=float,
            metavar="SECONDS",
            default=60,
            help="seconds to wait for an import already running (60)",
        )
        parser.add_argument(
            "--retry-for",
            type=float,
            metavar="SECONDS",
            default=120,
            help="seconds to keep retrying a request that fails (120)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            default=60,
            help="seconds to wait for an answer before retrying (60)",
        )
        parser.add_argument(
            "--heartbeat-url",
            metavar="URL",
            help="a monitor pinged at URL/start, then URL on exit 0 or URL/fail otherwise "
            "(healthchecks.io), each ping with the run's ?rid=; default TIMESHEETS_HEARTBEAT_URL",
        )
        parser.add_argument(
            "--heartbeat-exit-code",
            action="store_true",
            help="end the run with a ping to URL/<exit status> instead of URL or URL/fail",
        )
        parser.add_argument(
            "--fail-on",
            choices=FAIL_ON,
            default="rejected",
            help="what makes the run fail (exit 1, and the heartbeat's fail): any row not imported "
            "(rejected, the default), or only rows that could not be sent (failed); "
            "refused rows are reported either way",
        )

    def handle(self, *args, **options) -> None:
        heartbeat = Heartbeat(options["heartbeat_url"], exit_code_pings=options["heartbeat_exit_code"])
        heartbeat.start()
        report = Report(sys.stderr, progress=not options["no_progress"])
        problem: str | None = None
        try:
            run_import(_options(options), report)
        # ImproperlyConfigured, not only ConfigurationError: common/env.py's NAME_FILE that
        # cannot be read is one line naming the variable and the path, not a traceback.
        except (ImproperlyConfigured, AuthorizationError, SourceError, LockUnavailable) as exc:
            problem = str(exc)
        except BaseException:
            report.close()
            heartbeat.finish(1, report.summary.line())
            raise
        report.close()
        summary = report.summary
        line = summary.as_json() if options["as_json"] else summary.line()
        self.stdout.write(line)
        status = EXIT_CONFIGURATION if problem is not None else summary.exit_status(options["fail_on"])
        # The ping's body: the summary, then why, so that the monitor's page says what to fix.
        heartbeat.finish(status, "\n".join([summary.line(), *filter(None, [problem]), *report.reasons()]))
        if problem is not None:
            raise CommandError(problem, returncode=EXIT_CONFIGURATION)
        if status and options["fail_on"] == "failed":
            # Refused rows are the sources' to fix and do not fail this run: not counted here.
            raise CommandError(f"{summary.failed} rows could not be sent; see above.", returncode=status)
        if status:
            raise CommandError(
                f"{summary.conflicts + summary.rejected + summary.failed} rows were not imported; see above.",
                returncode=status,
            )


def _options(options: dict) -> ImportOptions:
    return ImportOptions(
        sources=options["sources"],
        format=options["format"],
        users=options["users"],
        column_map=options["column_map"],
        day_first=options["day_first"],
        batch_size=options["batch_size"],
        dry_run=options["dry_run"],
        rejects=options["rejects"],
        lock_wait=options["lock_wait"],
        retry_for=options["retry_for"],
        timeout=options["timeout"],
        since=options["since"],
        until=options["until"],
        time_zone=options["time_zone"],
        progress=not options["no_progress"],
    )


def _batch_size(value: str) -> int:
    size = int(value)
    if not 1 <= size <= 1000:
        raise argparse.ArgumentTypeError("must be from 1 to 1000")
    return size
