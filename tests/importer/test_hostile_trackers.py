"""Trackers and token endpoints that misbehave cannot take the importer's credentials elsewhere,
nor hold the cron job (docs/importer.md, "Limits"; SECURITY.md, the importer's rows).

Each test runs the command in process against the live API and the fakes of
scripts/fake_trackers.py, with a loopback `Recorder` standing for another origin.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from importer import limits
from scripts.fake_trackers import ACCOUNT
from scripts.servers import LoopbackServer
from timesheets.models import Timesheet

WINDOW = ("--since", "2024-03-04", "--until", "2024-03-17", "--retry-for", "5")
ALICE, BOB = "alice@example.com", "bob@example.com"


class Recorder:
    """A server on another port: records every request, and answers 307 to `redirect_to` if set."""

    def __init__(self, redirect_to: str | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._record()

            def do_POST(self) -> None:
                self._record()

            def _record(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append((self.path, dict(self.headers), body))
                if redirect_to is not None:
                    self.send_response(307)
                    self.send_header("Location", redirect_to + self.path)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = LoopbackServer(Handler)
        self.url = f"http://127.0.0.1:{self._server.port}"

    def stop(self) -> None:
        self._server.stop()


@pytest.fixture
def elsewhere():
    recorder = Recorder()
    yield recorder
    recorder.stop()


def pull(run_import, trackers, tool, *args, env=None):
    return run_import(f"{tool}:{ACCOUNT}", *WINDOW, *args, env={**trackers.env(tool), **(env or {})})


# --- Credentials stay home ------------------------------------------------------------------


def test_the_client_secret_does_not_follow_a_token_endpoint_redirect_to_another_origin(
    run_import, elsewhere, tmp_path
):
    redirector = Recorder(redirect_to=elsewhere.url)
    try:
        native = tmp_path / "rows.csv"
        native.write_text("user_type,user_id,year,week,project,hours\nEmployee,e-1,2024,10,Atlas,8\n")
        run = run_import(str(native), env={"OAUTH_TOKEN_URL": f"{redirector.url}/oauth/token"})
    finally:
        redirector.stop()
    assert [path for path, _, _ in redirector.requests] == ["/oauth/token"]
    assert elsewhere.requests == []
    assert run.exit_code == 2
    assert "/oauth/token redirects (HTTP 307) to " in run.stderr
    assert Timesheet.objects.count() == 0


def test_the_clockify_key_does_not_follow_a_redirect_to_another_origin(run_import, trackers, elsewhere):
    trackers.add("clockify", ALICE, "Atlas", "2024-03-04T09:00:00+00:00", 2)
    redirector = Recorder(redirect_to=elsewhere.url)
    try:
        run = pull(run_import, trackers, "clockify", env={"CLOCKIFY_REPORTS_URL": redirector.url})
    finally:
        redirector.stop()
    assert len(redirector.requests) == 1
    assert elsewhere.requests == []
    assert run.exit_code == 2
    assert "to another origin" in run.stderr and "clockify-api-key" not in run.stderr


def test_harvest_links_next_to_another_origin_is_not_followed(run_import, trackers, elsewhere):
    trackers.add("harvest", ALICE, "Atlas", "2024-03-04T09:00:00+00:00", 2)
    trackers.next_origin = elsewhere.url
    run = pull(run_import, trackers, "harvest")
    assert elsewhere.requests == []
    assert run.exit_code == 1
    assert run.summary["failed"] >= 1 and run.summary["deleted"] == 0
    assert "a next page on another origin" in run.stderr


def test_a_url_source_redirecting_to_another_origin_is_not_followed(run_import, elsewhere):
    redirector = Recorder(redirect_to=elsewhere.url)
    try:
        run = run_import(f"{redirector.url}/entries.json")
    finally:
        redirector.stop()
    assert elsewhere.requests == []
    assert run.exit_code == 2
    assert "/entries.json redirects (HTTP 307) to another origin" in run.stderr


# --- Trackers cannot hold the job hostage ---------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "entries", "reason"),
    [
        ("clockify", 1000, "pages past the 1 pages it announced (page 3)"),
        ("harvest", 1, "named the same next page twice"),
        ("toggl", 50, "named the same next page twice"),
    ],
)
def test_endless_pagination_fails_the_pull_and_frees_the_lock(run_import, trackers, tool, entries, reason):
    for number in range(entries):
        trackers.add(tool, f"p{number}@example.com", "Atlas", "2024-03-05T09:00:00+00:00", 1)
    trackers.endless.add(tool)
    started = time.monotonic()
    run = pull(run_import, trackers, tool)
    assert time.monotonic() - started < 60
    assert run.exit_code == 1
    assert run.summary["failed"] >= 1 and run.summary["created"] == run.summary["deleted"] == 0
    assert reason in run.stderr
    trackers.endless.clear()  # the lock is free: the next run pulls
    assert pull(run_import, trackers, tool).exit_code == 0


def test_a_tracker_page_over_the_byte_limit_fails_the_pull(run_import, trackers):
    trackers.add("clockify", ALICE, "Atlas", "2024-03-05T09:00:00+00:00", 1)
    trackers.padding = 17 * 1024 * 1024  # MAX_PAGE_BYTES is 16 MiB
    run = pull(run_import, trackers, "clockify")
    assert run.exit_code == 1
    assert run.summary["failed"] >= 1 and Timesheet.objects.count() == 0
    assert "answered over 16,777,216 bytes (the page limit)" in run.stderr


def test_a_200_mb_clockify_page_is_cut_at_the_limit_in_bounded_memory(run_import_process):
    size = 200 * 1024 * 1024

    class Huge(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            head, tail = b'{"timeentries": [], "padding": "', b'"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(head) + size + len(tail)))
            self.end_headers()
            try:
                self.wfile.write(head)
                for _ in range(size // (1024 * 1024)):
                    self.wfile.write(b" " * (1024 * 1024))
                self.wfile.write(tail)
            except OSError:  # the importer stopped reading
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = LoopbackServer(Huge)
    try:
        run = run_import_process(
            f"clockify:{ACCOUNT}",
            *WINDOW,
            env={"CLOCKIFY_REPORTS_URL": f"http://127.0.0.1:{server.port}", "CLOCKIFY_API_KEY": "key"},
        )
    finally:
        server.stop()
    assert run.exit_code == 1 and run.summary["failed"] == 1
    assert "answered over 16,777,216 bytes (the page limit)" in run.stderr
    assert run.peak_rss_mb < 150, run.peak_rss_mb


def test_a_slow_drip_answer_ends_at_the_requests_deadline(run_import, trackers, monkeypatch):
    trackers.add("clockify", ALICE, "Atlas", "2024-03-05T09:00:00+00:00", 1)
    trackers.padding = 2_000
    trackers.drip = 0.01  # over 20 s for the page, a byte well within each read's --timeout
    # The deadline is the connect timeout and --timeout: 0.75 s here, against 65 s by default.
    monkeypatch.setattr("importer.client.CONNECT_TIMEOUT", 0.25)
    started = time.monotonic()
    run = pull(run_import, trackers, "clockify", "--timeout", "0.5", "--retry-for", "1")
    assert time.monotonic() - started < 5
    assert run.exit_code == 1 and run.summary["failed"] >= 1
    assert "did not finish its answer within the request's deadline" in run.stderr


# --- Harvest without administrator rights ---------------------------------------------------


def test_a_harvest_managers_token_pulls_and_deletes_only_for_people_it_sees(run_import, trackers):
    trackers.harvest_admin = False
    kept_week = trackers.add("harvest", ALICE, "Atlas", "2024-03-04T09:00:00+00:00", 2)
    gone_week = trackers.add("harvest", ALICE, "Atlas", "2024-03-11T09:00:00+00:00", 2)
    bobs = trackers.add("harvest", BOB, "Borealis", "2024-03-05T09:00:00+00:00", 3)
    first = pull(run_import, trackers, "harvest")
    assert first.exit_code == 0, first.stderr
    assert "GET /v2/users is refused (HTTP 403" in first.stderr
    assert Timesheet.objects.count() == 3

    trackers.remove("harvest", gone_week)  # Alice is still seen: her lost week goes
    trackers.remove("harvest", bobs)  # Bob is seen nowhere now: nobody can tell he lost time
    second = pull(run_import, trackers, "harvest")
    assert second.exit_code == 0, second.stderr
    assert second.summary["deleted"] == 1
    assert set(Timesheet.objects.values_list("user_id", "week")) == {("Alice", 10), ("Bob", 10)}
    assert kept_week in trackers.entries["harvest"]


def test_a_pull_past_its_page_limit_fails_and_says_so(run_import, trackers, monkeypatch):
    for number in range(60):  # two Toggl pages of 50
        trackers.add("toggl", f"p{number}@example.com", "Atlas", "2024-03-05T09:00:00+00:00", 1)
    monkeypatch.setattr(limits, "MAX_PAGES", 1)
    run = pull(run_import, trackers, "toggl")
    assert run.exit_code == 1 and run.summary["failed"] >= 1
    assert "over 1 pages (the pull's limit)" in run.stderr


def test_a_pull_past_its_time_limit_fails_and_says_so(run_import, trackers, monkeypatch):
    trackers.add("harvest", ALICE, "Atlas", "2024-03-05T09:00:00+00:00", 1)
    monkeypatch.setattr(limits, "MAX_PULL_SECONDS", 0)
    run = pull(run_import, trackers, "harvest")
    assert run.exit_code == 1 and run.summary["failed"] >= 1
    assert "the pull took over 0 s (its limit)" in run.stderr
