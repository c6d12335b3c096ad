"""`make bench`: measures an end-to-end import and the API under gunicorn, and prints the figures.

Production-shaped: an issuer instance (the embedded one, as Auth0 would be) and an API
instance with two gunicorn workers that trusts it and fetches its JWKS over HTTP, on a
fresh SQLite database (a fresh PostgreSQL database next to DATABASE_URL's when that is
set). Nothing here is a test: it prints numbers and writes them to bench-results.json.
"""

from __future__ import annotations

import concurrent.futures
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import bench_pull
import requests
from servers import start_gunicorn

PROJECT_DIR = Path(__file__).resolve().parent.parent
ISSUER_PORT, API_PORT = 8101, 8102
ISSUER_URL, API_URL = f"http://127.0.0.1:{ISSUER_PORT}/", f"http://127.0.0.1:{API_PORT}"
IMPORT_ROWS = int(os.getenv("BENCH_IMPORT_ROWS", "100000"))
RSS_ROWS = int(os.getenv("BENCH_RSS_ROWS", "1000000"))
PER_ENTRY_ROWS = int(os.getenv("BENCH_PER_ENTRY_ROWS", "2000"))
SINGLE_REQUESTS = int(os.getenv("BENCH_SINGLE_REQUESTS", "2000"))
RESULTS = PROJECT_DIR / "bench-results.json"


def fresh_database_url(workdir: Path) -> str:
    base = os.getenv("DATABASE_URL")
    if not base:
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    parts = urlparse(base)
    name = f"{parts.path.lstrip('/') or 'timesheets'}_bench"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def manage(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


def write_export(path: Path, rows: int, prefix: str) -> None:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user_type", "user_id", "year", "week", "project", "hours", "external_id"])
        for n in range(rows):
            writer.writerow(
                ["Contractor", f"c-{n % 500}", 2025, n % 52 + 1, f"P{n % 37}", "7.5", f"{prefix}-{n}"]
            )


def timed_import(env: dict[str, str], export: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, summary line) of one import_timesheets process, start to exit."""
    command = [sys.executable, "manage.py", "import_timesheets", "--no-progress", str(export)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    summary = process.stdout.read().decode().strip().splitlines()[-1]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"import failed: {summary}")
    print(f"    importer CPU: {usage.ru_utime + usage.ru_stime:.1f} s of {elapsed:.1f} s", flush=True)
    return elapsed, usage.ru_maxrss / 1024, summary


def access_token(client_id: str, client_secret: str) -> str:
    response = requests.post(
        ISSUER_URL + "oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def per_entry_client(token: str, rows: int) -> float:
    """Entries per second for a client that posts one entry per request (the tutorial's way)."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for n in range(rows):
        entry = {
            "user_type": "Employee",
            "user_id": f"e-{n}",
            "year": 2025,
            "week": 10,
            "project": "Solo",
            "hours": 8,
        }
        session.post(
            f"{API_URL}/timesheets", json={**entry, "external_id": f"solo-{n}"}, headers=headers, timeout=10
        )
    return rows / (time.perf_counter() - started)


def load(path: str, requests_count: int, token: str | None, body_for=None) -> dict[str, float]:
    """Requests per second and latency percentiles, from four client threads."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def one(n: int) -> float:
        started = time.perf_counter()
        if body_for is None:
            response = session.get(API_URL + path, headers=headers, timeout=10)
        else:
            response = session.post(API_URL + path, json=body_for(n), headers=headers, timeout=10)
        response.raise_for_status()
        return time.perf_counter() - started

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        latencies = sorted(pool.map(one, range(requests_count)))
    elapsed = time.perf_counter() - started
    return {
        "requests_per_second": requests_count / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="timesheets-bench-"))
    database_url = fresh_database_url(workdir)
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "timesheets_site.settings",
    }
    api_env = {**base_env, "OAUTH_ISSUER": ISSUER_URL, "TIMESHEETS_THROTTLE_RATE": "1000000/min"}
    manage(base_env, "migrate", "--noinput")
    credentials = json.loads(
        manage(base_env, "create_api_client", "bench", "--scopes", "create:timesheets", "--json")
    )

    issuer_log = workdir / "issuer-access.log"
    servers: list[subprocess.Popen] = []
    try:
        servers.append(start_gunicorn(ISSUER_PORT, 1, base_env, issuer_log))
        servers.append(start_gunicorn(API_PORT, 2, api_env))
        importer_env = {
            **api_env,
            "TIMESHEETS_API_URL": API_URL,
            "OAUTH_TOKEN_URL": ISSUER_URL + "oauth/token",
            "OAUTH_CLIENT_ID": credentials["client_id"],
            "OAUTH_CLIENT_SECRET": credentials["client_secret"],
            "TIMESHEETS_CACHE_DIR": str(workdir / "cache"),
        }
        export = workdir / "export.csv"
        write_export(export, IMPORT_ROWS, "bulk")
        print(f"(a) importing {IMPORT_ROWS:,} rows ...", flush=True)
        import_seconds, import_rss, import_summary = timed_import(importer_env, export)
        import_rate = IMPORT_ROWS / import_seconds

        rss_export = workdir / "million.csv"
        write_export(rss_export, RSS_ROWS, "rss")
        print(f"(a) importing {RSS_ROWS:,} rows for the importer's peak memory ...", flush=True)
        rss_seconds, rss_peak, rss_summary = timed_import(importer_env, rss_export)

        token = access_token(credentials["client_id"], credentials["client_secret"])
        print(f"(b) {PER_ENTRY_ROWS:,} entries, one request each ...", flush=True)
        per_entry_rate = per_entry_client(token, PER_ENTRY_ROWS)

        print(f"(c) {SINGLE_REQUESTS:,} single POST /timesheets and GET /healthz ...", flush=True)

        def entry_for(n: int) -> dict:
            return {
                "user_type": "Employee",
                "user_id": f"s-{n}",
                "year": 2025,
                "week": 11,
                "project": "S",
                "hours": 1,
            }

        posts = load("/timesheets", SINGLE_REQUESTS, token, entry_for)
        health = load("/healthz", SINGLE_REQUESTS, None)
        jwks_fetches = issuer_log.read_text().count("/.well-known/jwks.json")
        pulls = bench_pull.bench_pulls(importer_env, workdir)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": urlparse(database_url).scheme,
        "api_workers": 2,
        "import": {
            "rows": IMPORT_ROWS,
            "seconds": import_seconds,
            "entries_per_second": import_rate,
            "peak_rss_mb": import_rss,
            "summary": import_summary,
        },
        "import_memory": {
            "rows": RSS_ROWS,
            "seconds": rss_seconds,
            "peak_rss_mb": rss_peak,
            "summary": rss_summary,
        },
        "per_entry_client": {"rows": PER_ENTRY_ROWS, "entries_per_second": per_entry_rate},
        "tracker_pulls": pulls,
        "single_post": posts,
        "healthz": health,
        "jwks_fetches": jwks_fetches,
        "ratios": {
            "import_vs_per_entry": import_rate / per_entry_rate,
            "post_p50_vs_healthz_p50": posts["p50_ms"] / health["p50_ms"],
        },
    }
    RESULTS.write_text(json.dumps(results, indent=2))
    print_table(results)
    return 0


def print_table(r: dict) -> None:
    rows = [
        ("machine", r["machine"]),
        ("database, API workers", f"{r['database']}, {r['api_workers']}"),
        (
            "(a) import entries/s",
            f"{r['import']['entries_per_second']:,.0f}  ({r['import']['rows']:,} rows in "
            f"{r['import']['seconds']:.1f} s; target >= 10,000)",
        ),
        (
            "(a) importer peak RSS",
            f"{r['import']['peak_rss_mb']:.0f} MB for {r['import']['rows']:,} rows; "
            f"{r['import_memory']['peak_rss_mb']:.0f} MB for {r['import_memory']['rows']:,} "
            "rows (target < 150 MB)",
        ),
        ("(b) one request per entry", f"{r['per_entry_client']['entries_per_second']:,.0f} entries/s"),
        ("    import / per-entry", f"{r['ratios']['import_vs_per_entry']:.1f}x  (target >= 25x)"),
        (
            "(c) POST /timesheets",
            f"{r['single_post']['requests_per_second']:,.0f} req/s, "
            f"p50 {r['single_post']['p50_ms']:.1f} ms, p99 {r['single_post']['p99_ms']:.1f} ms",
        ),
        (
            "    GET /healthz",
            f"{r['healthz']['requests_per_second']:,.0f} req/s, "
            f"p50 {r['healthz']['p50_ms']:.1f} ms, p99 {r['healthz']['p99_ms']:.1f} ms",
        ),
        ("(d) JWKS fetches", f"{r['jwks_fetches']}  (target: one per API worker, 2)"),
        *bench_pull.table_rows(r["tracker_pulls"]),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\nwritten to {RESULTS.name}")


if __name__ == "__main__":
    sys.exit(main())
