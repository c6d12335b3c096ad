"""--heartbeat-url: the cron job reports in, as healthchecks.io expects, and a dead monitor harms nothing.

The fake monitor follows healthchecks.io's Pinging API (https://healthchecks.io/docs/http_api/):
`POST /ping/<uuid>/start` signals a start, `/ping/<uuid>` a success, `/ping/<uuid>/fail` a
failure; a body is kept as the ping's log.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from scripts.servers import LoopbackServer, free_port
from timesheets.models import Timesheet

CHECK = "/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278"
CSV = "user_type,user_id,year,week,project,hours\nEmployee,007,2016,24,StoreZero,40\n"


@pytest.fixture
def monitor():
    pings: list[tuple[str, str]] = []

    class Monitor(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            pings.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: Any) -> None:
            pass

    server = LoopbackServer(Monitor)
    server.pings = pings  # type: ignore[attr-defined]
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
    assert run.stderr.count("The heartbeat ping to http://127.0.0.1/… failed: ConnectionError") == 2
    assert CHECK not in run.stderr + run.stdout
