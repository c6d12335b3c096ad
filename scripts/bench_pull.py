"""`make bench`, tracker pulls: 5 ISO weeks for 100 people (10,000 time entries) from each fake tracker.

For each of Toggl Track, Clockify and Harvest (scripts/fake_trackers.py, paged as the real
APIs page: 50, 1,000 and 2,000 entries), a first pull and an unchanged rerun: seconds,
pages of time entries and requests to the tracker, the importer's peak RSS, and the
summary (the rerun must write nothing). `bench_pulls` is what scripts/bench.py calls; run
alone (`python scripts/bench_pull.py`) it starts its own API on a fresh SQLite database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # for scripts.fake_trackers, which the tests import too

from scripts.fake_trackers import ACCOUNT, TOOLS, FakeTrackers  # noqa: E402
from scripts.servers import free_port, start_gunicorn  # noqa: E402

PEOPLE, WEEKS, PER_DAY = 100, 5, 4  # 100 x 5 weeks x 5 days x 4 = 10,000 time entries
PROJECTS = ("Atlas", "Borealis", "Cosmos")
FIRST_MONDAY = date(2025, 3, 3)  # 2025-W10
WINDOW = (
    "--since",
    FIRST_MONDAY.isoformat(),
    "--until",
    (FIRST_MONDAY + timedelta(weeks=WEEKS, days=-1)).isoformat(),
)


def seed(fake: FakeTrackers, tool: str) -> int:
    count = 0
    for person in range(PEOPLE):
        for day in range(WEEKS * 7):
            when = FIRST_MONDAY + timedelta(days=day)
            if when.weekday() >= 5:
                continue
            for slot in range(PER_DAY):
                start = datetime(when.year, when.month, when.day, 8 + 2 * slot, tzinfo=UTC)
                fake.add(tool, f"person{person}@firm.example", PROJECTS[(person + slot) % 3], start, 1.75)
                count += 1
    return count


def timed_pull(env: dict[str, str], source: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, summary line) of one import_timesheets process."""
    command = [sys.executable, "manage.py", "import_timesheets", "--no-progress", source, *WINDOW]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None  # both PIPEs
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    summary = process.stdout.read().decode().strip().splitlines()[-1:] or [""]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{source}: import failed: {summary[0]} {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, summary[0]


def bench_pulls(importer_env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """The figures for each tool; importer_env names the API and an import client."""
    fake = FakeTrackers()
    results: dict[str, Any] = {}
    try:
        for tool in TOOLS:
            entries = seed(fake, tool)
            env = {**importer_env, **fake.env(tool), "TIMESHEETS_CACHE_DIR": str(workdir / f"cache-{tool}")}
            results[tool] = {"time_entries": entries}
            for run in ("first", "rerun"):
                pages, requests_before = fake.pages[tool], fake.requests[tool]
                print(f"(e) pulling {entries:,} {tool} time entries, {run} run ...", flush=True)
                seconds, rss, summary = timed_pull(env, f"{tool}:{ACCOUNT}")
                results[tool][run] = {
                    "seconds": seconds,
                    "pages": fake.pages[tool] - pages,
                    "requests": fake.requests[tool] - requests_before,
                    "peak_rss_mb": rss,
                    "summary": summary,
                }
    finally:
        fake.stop()
    return results


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for tool, figures in results.items():
        for run in ("first", "rerun"):
            r = figures[run]
            rows.append(
                (
                    f"{tool} pull of {figures['time_entries']:,} time entries, {run} run",
                    f"{r['seconds']:.1f} s, {r['pages']} pages ({r['requests']} requests), "
                    f"{r['peak_rss_mb']:.0f} MB: {r['summary']}",
                    "< 150 MB" + ("; writes nothing" if run == "rerun" else ""),
                )
            )
    return rows


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="timesheets-bench-pull-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "TIMESHEETS_THROTTLE_RATE": "1000000/min",
    }

    def manage(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    manage("migrate", "--noinput")
    credentials = json.loads(
        manage("create_api_client", "bench-pull", "--scopes", "create:timesheets", "--json")
    )
    port = free_port()
    server = start_gunicorn(port, 2, env)
    try:
        importer_env = {
            **env,
            "TIMESHEETS_API_URL": f"http://127.0.0.1:{port}",
            "OAUTH_CLIENT_ID": credentials["client_id"],
            "OAUTH_CLIENT_SECRET": credentials["client_secret"],
        }
        results = bench_pulls(importer_env, workdir)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(json.dumps(results, indent=2))
    for name, value, target in table_rows(results):
        print(f"{name:<48}  {value}  (target {target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
