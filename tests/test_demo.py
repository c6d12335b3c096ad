"""`make demo` on a port of one's choosing, saying truthfully that it stopped."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.servers import free_port

from .support.paths import PROJECT_DIR

pytestmark = pytest.mark.xdist_group("demo")  # one worker: the module's fixtures start once


@dataclass(frozen=True)
class DemoRun:
    process: subprocess.CompletedProcess[str]
    port: int
    secret_file: Path

    @property
    def output(self) -> str:
        return self.process.stdout + self.process.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One whole run of the demo (DEMO_KEEP_SERVING=0), read by each test that checks what a
    run does: a run takes seconds of migrating, serving and importing, and reading it twice
    changes nothing."""
    folder = tmp_path_factory.mktemp("demo")
    port, secret_file = free_port(), folder / "import-secret"
    process = run_demo(folder, DEMO_PORT=str(port), DEMO_KEEP_SERVING="0", DEMO_SECRET_FILE=str(secret_file))
    return DemoRun(process, port, secret_file)


def test_the_demo_serves_on_demo_port_and_says_when_it_stopped(demo: DemoRun):
    assert demo.process.returncode == 0, demo.output
    assert f"Fetched an access token from http://127.0.0.1:{demo.port}/oauth/token" in demo.output
    assert f"the server at http://127.0.0.1:{demo.port} has been stopped" in demo.process.stdout
    assert "is running" not in demo.process.stdout


def test_the_demo_keeps_its_import_clients_secret_in_an_owner_only_file(demo: DemoRun):
    assert demo.process.returncode == 0, demo.output
    secret = demo.secret_file.read_text().strip()
    assert len(secret) > 60 and stat.S_IMODE(demo.secret_file.stat().st_mode) == 0o600
    assert f"OAUTH_CLIENT_SECRET_FILE={demo.secret_file}" in demo.process.stdout
    assert secret not in demo.output


def test_a_demo_port_that_is_not_a_number_is_refused(tmp_path):
    demo = run_demo(tmp_path, DEMO_PORT="eighty")
    assert demo.returncode == 2 and "DEMO_PORT='eighty' is not a port number" in demo.stdout


def run_demo(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`make demo`'s script, on a database of its own, as a person at a terminal runs it."""
    return subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=PROJECT_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
