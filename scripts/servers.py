"""Servers on loopback for the demo, the benchmark and the tests: the API under gunicorn, a
free port, and a small HTTP server in a thread (the fake trackers, a monitor, a file server).

The tests import this module (as `scripts.servers`); nothing here imports the tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONF = PROJECT_DIR / "gunicorn.conf.py"


def start_gunicorn(
    port: int,
    workers: int,
    env: dict[str, str] | None = None,
    access_log: Path | None = None,
    *,
    healthy: bool = True,
) -> subprocess.Popen:
    """A gunicorn with the production settings (gunicorn.conf.py) serving the project on
    127.0.0.1:port, returned once /healthz answers: 200, or any status when not `healthy`."""
    command = [sys.executable, "-m", "gunicorn", "timesheets_site.wsgi", "--config", str(GUNICORN_CONF)]
    command += ["--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    if access_log is not None:
        command += ["--access-logfile", str(access_log)]
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            # "Connection: close": a probe's connection kept alive (requests leaves it open
            # until garbage collection) keeps the worker that answered it 2 s longer in stop.
            response = requests.get(
                f"http://127.0.0.1:{port}/healthz", headers={"Connection": "close"}, timeout=3
            )
            if response.ok or not healthy:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"The API on port {port} did not start within 30 seconds.")


def free_port() -> int:
    """A loopback port free a moment ago, for servers that cannot be handed port 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackServer:
    """An HTTP server on a free loopback port, serving from a daemon thread."""

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_port
        threading.Thread(
            # stop() waits for the loop to look up: a short poll keeps that wait short.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
        ).start()

    def stop(self) -> None:
        # shutdown() waits for serve_forever to notice; bounded, so that no server thread
        # can hang the suite's teardown (seen once in CI).
        stopper = threading.Thread(target=self._server.shutdown, daemon=True)
        stopper.start()
        stopper.join(timeout=5)
        self._server.server_close()
