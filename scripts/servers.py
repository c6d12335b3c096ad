"""Starting the API under gunicorn for the demo and the benchmark."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent


def start_gunicorn(
    port: int, workers: int, env: dict[str, str] | None = None, access_log: Path | None = None
) -> subprocess.Popen:
    """A gunicorn serving the project on 127.0.0.1:port, returned once /healthz answers."""
    command = [sys.executable, "-m", "gunicorn", "timesheets_site.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    if access_log is not None:
        command += ["--access-logfile", str(access_log)]
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.RequestException:  # refused, or too slow to answer while starting
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"The API on port {port} did not start within 30 seconds.")
