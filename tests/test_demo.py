"""`make demo` on a port of one's choosing, saying truthfully that it stopped."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from scripts.servers import free_port

from .support.paths import PROJECT_DIR


def test_the_demo_serves_on_demo_port_and_says_when_it_stopped(tmp_path):
    port = free_port()
    demo = run_demo(tmp_path, DEMO_PORT=str(port), DEMO_KEEP_SERVING="0")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"Fetched an access token from http://127.0.0.1:{port}/oauth/token" in demo.stderr + demo.stdout
    assert f"the server at http://127.0.0.1:{port} has been stopped" in demo.stdout
    assert "is running" not in demo.stdout


def test_the_demo_keeps_its_import_clients_secret_in_an_owner_only_file(tmp_path):
    secret_file = tmp_path / "import-secret"
    demo = run_demo(
        tmp_path, DEMO_PORT=str(free_port()), DEMO_KEEP_SERVING="0", DEMO_SECRET_FILE=str(secret_file)
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    secret = secret_file.read_text().strip()
    assert len(secret) > 60 and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert f"OAUTH_CLIENT_SECRET_FILE={secret_file}" in demo.stdout
    assert secret not in demo.stdout + demo.stderr


def test_a_demo_port_that_is_not_a_number_is_refused(tmp_path):
    demo = run_demo(tmp_path, DEMO_PORT="eighty")
    assert demo.returncode == 2 and "DEMO_PORT='eighty' is not a port number" in demo.stdout


def run_demo(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    """`make demo`'s script, on a database of its own, as a person at a terminal runs it."""
    return subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
