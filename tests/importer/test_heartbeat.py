"""--heartbeat-url: the cron job reports in, as healthchecks.io expects, and a dead monitor harms nothing.

The fake monitor follows healthchecks.io's Pinging API (https://healthchecks.io/docs/http_api/):
`POST /ping/<uuid>/start` signals a start, `/ping/<uuid>` a success, `/ping/<uuid>/fail` a
failure, `/ping/<uuid>/<exit status>` an exit status; `?rid=<uuid>` pairs a run's pings; a body
is kept as the ping's log. The fake records each ping's path and body, and its rid apart.
"""

from __future__ import annotations

import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest

from scripts.servers import LoopbackServer, free_port
from timesheets.models import Timesheet

from ..support.servers import drip

CHECK = "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"
CSV = "user_type,user_id,year,week,project,hours\nEmployee,007,2016,24,StoreZero,40\n"


@pytest.fixture
def monitor():
    pings: list[tuple[str, str]] = []
    rids: list[str] = []

    class Monitor(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            path, _, query = self.path.partition("?")
            pings.append((path, body))
            rids.extend(parse_qs(query).get("rid", []))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: Any) -> None:
            pass

    server = LoopbackServer(Monitor)
    server.pings = pings  # type: ignore[attr-defined]
    server.rids = rids  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.port}{CHECK}"  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_a_run_that_succeeds_pings_start_then_the_check(run_import, monitor):
    run = run_import("-", "--heartbeat-url", monitor.url, stdin=CSV)
    assert run.exit_code == 0, run.stderr
    assert monitor.pings == [(f"{CHECK}/start", ""), (CHECK, run.stdout.strip())]


def test_a_run_with_refused_rows_pings_fail(run_import, monitor):
    run = run_import(
        "-", stdin=CSV.replace("Employee", "Intern"), env={"TIMESHEETS_HEARTBEAT_URL": monitor.url}
    )
    assert run.exit_code == 1
    assert [path for path, _ in monitor.pings] == [f"{CHECK}/start", f"{CHECK}/fail"]
    assert monitor.pings[1][1].startswith("read=1 ")


def test_a_configuration_error_pings_fail(run_import, monitor):
    run = run_import("-", "--heartbeat-url", monitor.url, stdin=CSV, env={"OAUTH_CLIENT_ID": None})
    assert run.exit_code == 2
    assert [path for path, _ in monitor.pings] == [f"{CHECK}/start", f"{CHECK}/fail"]


def test_a_monitor_that_cannot_be_reached_never_fails_the_import(run_import):
    port = free_port()
    run = run_import("-", "--heartbeat-url", f"http://127.0.0.1:{port}{CHECK}", stdin=CSV)
    assert run.exit_code == 0, run.stderr
    assert Timesheet.objects.count() == 1
    # The port is named, the check's uuid is not (it is the check's secret).
    assert run.stderr.count(f"The heartbeat ping to http://127.0.0.1:{port}/ping/…") == 2
    assert "failed: ConnectionError" in run.stderr
    assert CHECK not in run.stderr + run.stdout


def test_the_end_ping_holds_the_summary_and_the_first_reasons(run_import, monitor):
    run = run_import("-", "--heartbeat-url", monitor.url, stdin=CSV.replace("Employee", "Intern"))
    assert run.exit_code == 1
    summary, *reasons = monitor.pings[1][1].splitlines()
    assert summary == run.stdout.strip()
    assert reasons == [line for line in reasons if line.startswith("-:2 invalid user_type: ")] != []


@pytest.mark.parametrize(("csv", "status"), [(CSV, "0"), (CSV.replace("Employee", "Intern"), "1")])
def test_with_heartbeat_exit_code_the_end_ping_is_the_exit_status(run_import, monitor, csv, status):
    run = run_import("-", "--heartbeat-url", monitor.url, "--heartbeat-exit-code", stdin=csv)
    assert str(run.exit_code) == status
    assert [path for path, _ in monitor.pings] == [f"{CHECK}/start", f"{CHECK}/{status}"]


def test_a_runs_pings_share_one_run_id_and_the_next_run_has_another(run_import, monitor):
    run_import("-", "--heartbeat-url", monitor.url, stdin=CSV)
    run_import("-", "--heartbeat-url", monitor.url, stdin=CSV)
    first_start, first_end, second_start, second_end = monitor.rids
    assert first_start == first_end != second_start == second_end
    assert str(uuid.UUID(first_start)) == first_start


def test_with_fail_on_failed_refused_rows_are_reported_and_the_run_succeeds(run_import, monitor):
    run = run_import(
        "-", "--heartbeat-url", monitor.url, "--fail-on", "failed", stdin=CSV.replace("Employee", "Intern")
    )
    assert run.exit_code == 0
    assert run.summary["rejected"] == 1 and run.rejects[0]["status"] == "invalid"
    assert [path for path, _ in monitor.pings] == [f"{CHECK}/start", CHECK]


def test_with_fail_on_failed_rows_that_could_not_be_sent_still_fail_the_run(run_import, monitor, retry_clock):
    run = run_import(
        "-",
        "--heartbeat-url",
        monitor.url,
        "--fail-on",
        "failed",
        "--retry-for",
        "1",
        stdin=CSV,
        env={"TIMESHEETS_API_URL": f"http://127.0.0.1:{free_port()}"},
    )
    assert run.exit_code == 1 and run.summary["failed"] == 1
    assert [path for path, _ in monitor.pings] == [f"{CHECK}/start", f"{CHECK}/fail"]


def test_with_fail_on_failed_the_message_counts_only_the_rows_that_could_not_be_sent(run_import, retry_clock):
    refused = CSV + "Employee,007,2016,24,StoreZero,40,extra\n"  # refused before anything is sent
    run = run_import(
        "-",
        "--fail-on",
        "failed",
        "--retry-for",
        "1",
        stdin=refused,
        env={"TIMESHEETS_API_URL": f"http://127.0.0.1:{free_port()}"},
    )
    assert run.exit_code == 1 and run.summary["failed"] == 1 and run.summary["rejected"] == 1
    assert "1 rows could not be sent" in run.stderr


def test_a_monitor_dripping_its_answer_cannot_hold_the_run(run_import, monkeypatch):
    class Dripping(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "400")
            self.end_headers()
            drip(self.wfile, b"O")

    # A ping's deadline is its connect and read timeouts: 0.5 s here, against 8 s in production.
    monkeypatch.setattr("importer.heartbeat.TIMEOUT", (0.25, 0.25))
    server = LoopbackServer(Dripping)
    try:
        started = time.monotonic()
        run = run_import("-", "--heartbeat-url", f"http://127.0.0.1:{server.port}{CHECK}", stdin=CSV)
        assert run.exit_code == 0 and time.monotonic() - started < 5
        # Both pings ended at their deadline, not at a read's timeout: a byte came every 0.02 s.
        assert run.stderr.count("failed: BodyLimit") == 2, run.stderr
    finally:
        server.stop()
