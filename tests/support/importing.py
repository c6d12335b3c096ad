"""The importer's run, in this process or its own, and a proxy that fails on cue in front of the API."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from unittest import mock

import requests
from django.core.management import load_command_class

from common.logs import LOG_FORMAT, UtcFormatter

from .paths import PROJECT_DIR
from .servers import LoopbackServer


@dataclass
class ImportRun:
    exit_code: int
    stdout: str
    stderr: str
    peak_rss_mb: float = 0.0  # of the process itself, from the kernel's accounting

    @property
    def summary(self) -> dict[str, int]:
        last = self.stdout.strip().splitlines()[-1]
        return {name: int(count) for name, count in (pair.split("=") for pair in last.split())}

    @property
    def rejects(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]


# Linux counts in a process's peak RSS the memory of the process it was forked from, so the
# command is started from a small Python that forks it and reports the command's own peak.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(command: list[str], *, env: dict[str, str], stdin: str | None = None) -> ImportRun:
    """Runs a command to its end in the project folder; its output and its own peak memory."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, peak.name, *command],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            text=True,
            env=env,
            cwd=PROJECT_DIR,
        )
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        watchdog = threading.Timer(300, process.kill)  # a hung run fails its test, not the suite
        watchdog.start()
        try:
            process.wait()
        finally:
            watchdog.cancel()
        out.seek(0)
        err.seek(0)
        return ImportRun(process.returncode, out.read(), err.read(), int(peak.read() or 0) / 1024)


def run_import_in_process(args: list[str], *, env: dict[str, str], stdin: str | None = None) -> ImportRun:
    """Runs `manage.py import_timesheets ARGS` in this process, as manage.py would run it.

    The command parses its arguments, runs and exits through `run_from_argv`, as from cron,
    with `env` as the whole environment and its own standard streams. Its log records (the
    "importer" loggers, from any of its threads) go to its standard error in the shipped
    format; the live server's records do not. What an own process adds
    (start-up, peak memory, the settings manage.py picks) is run_process's to test.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(UtcFormatter(LOG_FORMAT))
    importer_logger = logging.getLogger("importer")
    exit_code: int | str | None = 0
    with (
        mock.patch.dict(os.environ, env, clear=True),
        mock.patch("sys.stdin", stdin_stream),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        mock.patch.object(importer_logger, "propagate", False),
    ):
        importer_logger.addHandler(handler)
        try:
            command = load_command_class("importer", "import_timesheets")
            command.run_from_argv(["manage.py", "import_timesheets", *args])
        except SystemExit as exit:
            exit_code = exit.code
        finally:
            importer_logger.removeHandler(handler)
    return ImportRun(int(exit_code or 0), stdout.getvalue(), stderr.getvalue())


class RetryClock:
    """Stands in for the `time` module of importer/client.py, whose send() sleeps between
    attempts (Retry-After, or its backoff) and gives up past --retry-for by time.monotonic().

    A sleep here waits for nothing: it records the wait in `waits` and moves on at once this
    clock's monotonic() and, through `shift` (time_machine's), the process's wall clock, which
    the live API's token expiry and the importer's token cache read. A test asserts on the
    waits asked for, not on how long it took. Waits of threads sleeping side by side add up:
    this clock runs ahead of a real one, never behind it.
    """

    def __init__(self, shift: Callable[[float], None]) -> None:
        self.waits: list[float] = []
        self._shift = shift
        self._ahead = 0.0
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            self._ahead += seconds
            self._shift(seconds)

    def monotonic(self) -> float:
        return time.monotonic() + self._ahead

    def time(self) -> float:
        return time.time()  # time_machine's, shifted with every sleep


class FaultyProxy:
    """A reverse proxy on loopback in front of the live API that can fail on cue.

    It produces what a real network and a real outage produce (refused answers, 429s and
    503s with Retry-After, dropped connections, garbage bodies) for the requests whose path
    starts with `path`; everything else passes through untouched.
    """

    def __init__(self, upstream: str, path: str = "/timesheets/batch") -> None:
        self.upstream = upstream
        self.path = path
        self.faults: list[tuple[str, Any]] = []  # consumed one per matching request
        self.down = False  # every matching request is dropped while set
        self.down_after: int | None = None  # or once this many matching requests went through
        # Arrival times of matching requests, by the wall clock, which a RetryClock moves on.
        self.seen: list[float] = []
        self.client_ports: list[int] = []  # the connection each matching request came on
        self._stopped = threading.Event()
        self._server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self._server.port}"

    def stop(self) -> None:
        self._stopped.set()  # a stalled answer ends with its test, not seconds into the next one
        self._server.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = None
                if self.path.startswith(proxy.path):
                    proxy.seen.append(time.time())
                    proxy.client_ports.append(self.client_address[1])
                    fault = proxy.faults.pop(0) if proxy.faults else None
                    if proxy.down_after is not None and len(proxy.seen) > proxy.down_after:
                        proxy.down = True
                    if proxy.down or fault == ("drop", None):
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if fault is not None:
                        kind, value = fault
                        if kind == "status":
                            status, retry_after = value
                            self._answer(
                                status, b'{"detail": "try later"}', {"Retry-After": str(retry_after)}
                            )
                            return
                        if kind == "garbage":
                            self._answer(200, b"<html>not json", {})
                            return
                headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
                upstream = requests.request(
                    self.command, proxy.upstream + self.path, headers=headers, data=body, timeout=60
                )
                passed = {"Content-Type": upstream.headers.get("Content-Type", "application/json")}
                if fault is not None and fault[0] == "stall":  # done upstream, answered too late
                    proxy._stopped.wait(fault[1])
                    with contextlib.suppress(OSError):  # the client gave up on it, as it should
                        self._answer(upstream.status_code, upstream.content, passed)
                    return
                self._answer(upstream.status_code, upstream.content, passed)

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if self.close_connection:
                    # The request asked to close: said, as gunicorn says it, else the client
                    # may send its next request on this connection as it closes.
                    self.send_header("Connection", "close")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _relay

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
