"""`make bench`: imports, reads at a million entries and the admin, on SQLite and PostgreSQL.

Production-shaped: per database, an issuer instance (the embedded one, as Auth0 would be)
and an API instance with two gunicorn workers that trusts it and fetches its JWKS over
HTTP, on a fresh database (SQLite in a temporary folder; a `timesheets_bench` PostgreSQL
database on BENCH_POSTGRES_URL's server, created and dropped). Imports are whole
`import_timesheets` processes, timed from start to exit as cron runs them. The million
entries the reads need are loaded straight into the database (executemany or COPY), not
through the API. Nothing here is a test: it prints numbers and writes bench-results.json.
"""

from __future__ import annotations

import base64
import csv
import itertools
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

import bench_friday
import bench_pull
import requests
from servers import free_port, start_gunicorn

PROJECT_DIR = Path(__file__).resolve().parent.parent


ISSUER_PORT, API_PORT = free_port(), free_port()
ISSUER_URL, API_URL = f"http://127.0.0.1:{ISSUER_PORT}/", f"http://127.0.0.1:{API_PORT}"
DATABASES = os.getenv("BENCH_DATABASES", "sqlite,postgresql").split(",")
POSTGRES_URL = os.getenv("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/timesheets_bench")
IMPORT_SIZES = [int(n) for n in os.getenv("BENCH_IMPORT_ROWS", "20000,100000").split(",")]
TABLE_ROWS = int(os.getenv("BENCH_TABLE_ROWS", "1000000"))
PER_ENTRY_ROWS = int(os.getenv("BENCH_PER_ENTRY_ROWS", "1000"))
REPEATS = int(os.getenv("BENCH_REPEATS", "7"))
LONG_LINE_MB = int(os.getenv("BENCH_LONG_LINE_MB", "50"))
RESULTS = PROJECT_DIR / "bench-results.json"
PERFORMANCE_PAGE = PROJECT_DIR / "docs" / "performance.md"
SCALED_DOWN = any(
    name in os.environ
    for name in (
        "BENCH_DATABASES",
        "BENCH_IMPORT_ROWS",
        "BENCH_TABLE_ROWS",
        "BENCH_PER_ENTRY_ROWS",
        "BENCH_REPEATS",
        "BENCH_LONG_LINE_MB",
    )
)
# make bench rewrites what lies between these two lines of docs/performance.md.
RESULTS_START, RESULTS_END = "<!-- bench results: start -->", "<!-- bench results: end -->"
SCOPES = "create:timesheets read:timesheets"
ADMIN_PASSWORD = "bench-only-password-7f3a"  # noqa: S105 (a throwaway database's staff user)

# The reads: every filter alone and in every combination, every sort order both ways, deep
# pages, and the cursor walk. Values hit the loaded data (see seed()).
FILTERS = {
    "user_type": "Contractor",
    "user_id": "u42",
    "year": "2025",
    "week": "10",
    "project": "proj-7",
    "approved": "true",
}
ORDERINGS = ["id", "year", "week", "user_id", "project", "hours"]


# --- the databases ------------------------------------------------------------------------


def create_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    _postgres_admin(POSTGRES_URL, "DROP DATABASE IF EXISTS", "CREATE DATABASE")
    return POSTGRES_URL


def drop_database(kind: str) -> None:
    if kind == "postgresql":
        _postgres_admin(POSTGRES_URL, "DROP DATABASE IF EXISTS")


def _postgres_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as connection:
        for statement in statements:
            connection.execute(f'{statement} "{name}"')


def seed(rows: int) -> None:
    """Run in a child process (`bench.py seed N`): loads entries until the table holds N.

    The indexes are dropped during the load and built after it, as a restore would, then
    the planner's statistics are gathered.
    """
    import django

    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")
    django.setup()
    from django.db import connection, transaction

    from timesheets.models import Timesheet

    missing = rows - Timesheet.objects.count()
    if missing <= 0:
        return
    rng = random.Random(16)  # noqa: S311 (repeatable test data, not secrets)
    now = datetime.now(UTC)
    columns = "user_type, user_id, year, week, project, hours, external_id, created_by, "
    columns += "created_at, updated_at, approved, approved_at, approved_by"

    def entry(n: int) -> tuple:
        person = rng.randrange(2000)
        approved = rng.random() < 0.3
        return (
            "Contractor" if person % 5 == 0 else "Employee",
            f"u{person}",
            2022 + rng.randrange(4),
            1 + rng.randrange(52),
            f"proj-{rng.randrange(200)}",
            f"{rng.randrange(1, 48) / 4:.2f}",
            f"seed-{n}",
            "seed",
            now,
            now,
            approved,
            now if approved else None,
            "seed" if approved else "",
        )

    indexes = Timesheet._meta.indexes
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(Timesheet, index)
    table = Timesheet._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for n in range(missing):
                    copy.write_row(entry(n))
        else:
            placeholders = ", ".join(["%s"] * 13)
            for start in range(0, missing, 50_000):
                batch = [entry(n) for n in range(start, min(start + 50_000, missing))]
                insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
                cursor.executemany(insert, batch)
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(Timesheet, index)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE")


def manage(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


# --- imports ------------------------------------------------------------------------------


def write_export(path: Path, rows: int, prefix: str) -> Path:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user_type", "user_id", "year", "week", "project", "hours", "external_id"])
        for n in range(rows):
            writer.writerow(
                ["Contractor", f"c-{n % 500}", 2025, n % 52 + 1, f"P{n % 37}", "7.5", f"{prefix}-{n}"]
            )
    return path


def write_long_lines(workdir: Path) -> list[Path]:
    """A CSV and a JSONL file whose one entry is a single line of LONG_LINE_MB megabytes.

    Written a megabyte at a time: Linux passes a parent's peak RSS on to the children it
    forks (ru_maxrss survives exec), so this process must stay smaller than the importer.
    """
    csv_path, jsonl_path = workdir / "long-line.csv", workdir / "long-line.jsonl"
    megabyte = "x" * 1024 * 1024
    with open(csv_path, "w") as file:
        file.write("user_type,user_id,year,week,project,hours,external_id\nEmployee,e-1,2025,10,")
        for _ in range(LONG_LINE_MB):
            file.write(megabyte)
        file.write(",8,long-csv\n")
    with open(jsonl_path, "w") as file:
        file.write('{"user_type": "Employee", "user_id": "e-1", "year": 2025, "week": 10, "hours": 8, ')
        file.write('"external_id": "long-jsonl", "project": "')
        for _ in range(LONG_LINE_MB):
            file.write(megabyte)
        file.write('"}\n')
    return [csv_path, jsonl_path]


def timed_import(env: dict[str, str], source: Path) -> dict[str, Any]:
    """One import_timesheets process, start to exit: seconds, peak RSS, summary, exit status."""
    command = [sys.executable, "manage.py", "import_timesheets", "--no-progress", str(source)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None  # a PIPE
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    lines = output.strip().splitlines()
    return {
        "seconds": elapsed,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "summary": lines[-1] if lines else "",
        "exit_status": os.waitstatus_to_exitcode(status),
    }


def cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by a gunicorn master and its workers (Linux /proc).

    With other work on the machine, wall-clock rates swing; CPU time per entry does not.
    """
    pids, total = [server.pid], 0.0
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def import_rows(
    env: dict[str, str], workdir: Path, rows: int, prefix: str, api: subprocess.Popen
) -> dict[str, Any]:
    export = workdir / f"{prefix}.csv"
    write_export(export, rows, prefix)
    api_cpu = cpu_seconds(api)
    result = timed_import(env, export)
    if result["exit_status"] != 0:
        raise SystemExit(f"import failed: {result['summary']}")
    result |= {
        "rows": rows,
        "entries_per_second": rows / result["seconds"],
        "api_cpu_seconds": cpu_seconds(api) - api_cpu,
    }
    result["entries_per_cpu_second"] = rows / (result["api_cpu_seconds"] + result["cpu_seconds"])
    print(
        f"    {rows:,} rows: {result['entries_per_second']:,.0f} entries/s "
        f"({result['seconds']:.1f} s; CPU: importer {result['cpu_seconds']:.1f} s, "
        f"API {result['api_cpu_seconds']:.1f} s; {result['peak_rss_mb']:.0f} MB)",
        flush=True,
    )
    return result


def per_entry_client(token: str, rows: int) -> float:
    """Entries per second for a client that posts one entry per request (the tutorial's way)."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for n in range(rows):
        entry = {"user_type": "Employee", "user_id": f"e-{n}", "year": 2025, "week": 10, "project": "Solo"}
        response = session.post(
            f"{API_URL}/timesheets",
            json={**entry, "hours": 8, "external_id": f"solo-{n}"},
            headers=headers,
            timeout=10,
        )
        response.raise_for_status()
    return rows / (time.perf_counter() - started)


# --- reads --------------------------------------------------------------------------------


def read_paths() -> list[str]:
    paths = ["/timesheets"]
    names = list(FILTERS)
    for size in range(1, len(names) + 1):
        for combination in itertools.combinations(names, size):
            paths.append("/timesheets?" + urlencode({name: FILTERS[name] for name in combination}))
    for field in ORDERINGS:
        paths += [f"/timesheets?ordering={field}", f"/timesheets?ordering=-{field}"]
    return paths


def p50(session: requests.Session, url: str, repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` requests one after another (one reader)."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = session.get(url, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return statistics.median(timings)


def measure_reads(token: str) -> dict[str, Any]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    # The list is newest first: its first entry has the highest id.
    last_id = session.get(API_URL + "/timesheets", timeout=30).json()["results"][0]["id"]
    reads = {path: p50(session, API_URL + path) for path in read_paths()}
    slowest = max(reads, key=reads.__getitem__)
    print(f"    {len(reads)} filter/ordering reads: slowest {slowest} {reads[slowest]:.1f} ms", flush=True)
    # Pages the table has (100 entries a page): a small BENCH_TABLE_ROWS skips the deep ones.
    pages = {
        f"/timesheets?page={page}": p50(session, f"{API_URL}/timesheets?page={page}")
        for page in (2, 50, 5000)
        if page * 100 <= last_id
    }
    # A cursor is DRF's base64 of "p=<last id seen>": deep_cursor starts at 90% of the table.
    deep_cursor = base64.b64encode(f"p={int(last_id * 0.9)}".encode()).decode()
    pages["/timesheets?cursor="] = p50(session, API_URL + "/timesheets?cursor=")
    pages["/timesheets?cursor=<90% deep>"] = p50(session, f"{API_URL}/timesheets?cursor={deep_cursor}")
    pages["/timesheets?cursor=<90% deep>&user_id=u42"] = p50(
        session, f"{API_URL}/timesheets?cursor={deep_cursor}&user_id=u42"
    )
    url, walked, started = API_URL + "/timesheets?cursor=&project=proj-7", 0, time.perf_counter()
    while url and walked < 20:
        url, walked = session.get(url, timeout=30).json()["next"], walked + 1
    pages["cursor walk, ms per page (20 pages, project=proj-7)"] = (
        (time.perf_counter() - started) * 1000 / walked
    )
    for path, ms in pages.items():
        print(f"    {path}: {ms:.1f} ms", flush=True)
    return {"filters_and_orderings_p50_ms": reads, "pages_p50_ms": pages}


# The admin's pages: the list, its search, a deep page, each list filter it offers (the week
# range, approved, user type), a filter with a search, and the weekly picture. A search for
# one external id finds a dozen entries: without an index it reads the whole table. Values hit the
# loaded data (see seed()); "this year" is a quick range of the week filter that seed() leaves
# empty, the case where a scan in list order would find nothing to stop at.
ADMIN_PAGE_SIZE, DEEP_ADMIN_PAGE = 50, 3000
ADMIN_PAGES = {
    "changelist": "",
    "search ?q=u42": "?q=u42",
    "search an external id ?q=seed-12345": "?q=seed-12345",
    f"page {DEEP_ADMIN_PAGE:,}": f"?p={DEEP_ADMIN_PAGE}",
    "filter one week": "?week_from=2025-W10&week_to=2025-W10",
    "filter a year, page 2": "?week_from=2024-W01&week_to=2024-W52&p=2",
    "filter this year (no entries)": f"?week_from={date.today().year}-W01",
    "filter approved, page 2": "?approved__exact=1&p=2",
    "filter user_type": "?user_type__exact=Contractor",
    "filter user_type + search": "?user_type__exact=Contractor&q=u42",
    "weekly picture": "weekly/",
}


def admin_session(env: dict[str, str]) -> requests.Session:
    """A staff user's session on the API's admin (the user is made if missing)."""
    command = ["createsuperuser", "--noinput", "--username", "bench", "--email", "bench@example.com"]
    created = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=PROJECT_DIR,
        env={**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
        capture_output=True,
        text=True,
    )
    if created.returncode and "already taken" not in created.stderr:
        raise SystemExit(created.stderr)
    session = requests.Session()
    login = API_URL + "/admin/login/"
    page = session.get(login, timeout=10).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise SystemExit(f"{login} shows no CSRF token: is this the Django admin?")
    csrf = found.group(1)
    session.post(
        login,
        data={
            "csrfmiddlewaretoken": csrf,
            "username": "bench",
            "password": ADMIN_PASSWORD,
            "next": "/admin/",
        },
        headers={"Referer": login},
        timeout=10,
    ).raise_for_status()
    return session


def measure_admin(env: dict[str, str]) -> dict[str, float]:
    session = admin_session(env)
    changelist = API_URL + "/admin/timesheets/timesheet/"
    if "bench" not in session.get(changelist, timeout=30).text:
        raise SystemExit("could not log in to the admin")
    # A small BENCH_TABLE_ROWS skips the deep page, which the table does not have.
    shallow = TABLE_ROWS < DEEP_ADMIN_PAGE * ADMIN_PAGE_SIZE
    pages = {name: query for name, query in ADMIN_PAGES.items() if not (shallow and query.startswith("?p="))}
    for name, query in pages.items():
        # The admin redirects a parameter it does not know to "?e=1" and shows the whole
        # list: that page would be measured in place of the one named.
        response = session.get(changelist + query, timeout=60)
        if response.status_code != 200 or response.history or "e=1" in response.url:
            raise SystemExit(f"admin {name}: {response.status_code} at {response.url}, not the page asked")
    admin = {name: p50(session, changelist + query, repeats=5) for name, query in pages.items()}
    for name, ms in admin.items():
        print(f"    admin {name}: {ms:.1f} ms", flush=True)
    return admin


def admin_only() -> int:
    """`bench.py admin`: the admin's pages alone, on the database DATABASE_URL names (the
    project's SQLite file by default), loaded to BENCH_TABLE_ROWS entries first if it holds
    fewer; the API under gunicorn with two workers, as in the full run."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "timesheets_site.settings"}
    manage(env, "migrate", "--noinput")
    subprocess.run([sys.executable, __file__, "seed", str(TABLE_ROWS)], env=env, check=True)
    server = start_gunicorn(API_PORT, 2, env)
    try:
        started = cpu_seconds(server)
        measure_admin(env)
        print(f"    API workers' CPU for these pages: {cpu_seconds(server) - started:.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


# --- one database -------------------------------------------------------------------------


def access_token(client_id: str, client_secret: str) -> str:
    response = requests.post(
        ISSUER_URL + "oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def bench_database(kind: str, workdir: Path) -> dict[str, Any]:
    print(f"\n{kind}:", flush=True)
    database_url = create_database(kind, workdir)
    env = {**os.environ, "DATABASE_URL": database_url}
    api_env = {**env, "OAUTH_ISSUER": ISSUER_URL, "TIMESHEETS_THROTTLE_RATE": "1000000/min"}
    results: dict[str, Any] = {"database": kind, "api_workers": 2}
    servers: list[subprocess.Popen] = []
    try:
        manage(env, "migrate", "--noinput")
        credentials = json.loads(manage(env, "create_api_client", "bench", "--scopes", SCOPES, "--json"))
        servers.append(start_gunicorn(ISSUER_PORT, 1, env))
        servers.append(start_gunicorn(API_PORT, 2, api_env))
        importer_env = {
            **api_env,
            "TIMESHEETS_API_URL": API_URL,
            "OAUTH_TOKEN_URL": ISSUER_URL + "oauth/token",
            "OAUTH_CLIENT_ID": credentials["client_id"],
            "OAUTH_CLIENT_SECRET": credentials["client_secret"],
            "TIMESHEETS_CACHE_DIR": str(workdir / f"cache-{kind}"),
        }
        # The first run in a token's life (an hour by default) fetches it, and the issuer checks
        # the client's hashed secret; the others, as most cron runs, read it from the cache.
        # That first fetch is timed alone, with a file of no rows, so that the imports below
        # and the one at a million entries are timed alike.
        results["token_run"] = run = timed_import(importer_env, write_export(workdir / "none.csv", 0, "none"))
        if run["exit_status"] != 0:
            raise SystemExit(f"the run of no rows failed: {run['summary']}")
        print(f"  a run of no rows that fetches the token: {run['seconds']:.2f} s", flush=True)
        print("  imports into an empty table:", flush=True)
        results["imports"] = [
            import_rows(importer_env, workdir, rows, f"{kind}-{rows}", servers[1]) for rows in IMPORT_SIZES
        ]
        token = access_token(credentials["client_id"], credentials["client_secret"])
        per_entry = per_entry_client(token, PER_ENTRY_ROWS)
        results["per_entry_client"] = {"rows": PER_ENTRY_ROWS, "entries_per_second": per_entry}
        print(f"  one request per entry: {per_entry:,.0f} entries/s", flush=True)

        print(f"  loading the table to {TABLE_ROWS:,} entries ...", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "seed", str(TABLE_ROWS)], env=env, check=True)
        results["load_seconds"] = time.perf_counter() - started
        print(f"    {results['load_seconds']:.0f} s", flush=True)
        print(f"  import at {TABLE_ROWS:,} entries:", flush=True)
        results["import_at_table_rows"] = import_rows(
            importer_env, workdir, IMPORT_SIZES[0], f"{kind}-late-{IMPORT_SIZES[0]}", servers[1]
        )
        print(f"  reads at {TABLE_ROWS:,} entries:", flush=True)
        results["reads"] = measure_reads(token)
        results["admin_p50_ms"] = measure_admin(env | {"DATABASE_URL": database_url})
        if kind == "postgresql":
            print("  a company on a Friday afternoon:", flush=True)
            results["friday"] = bench_friday.friday_afternoon(env, API_URL, ISSUER_URL, token)
        if kind == DATABASES[0]:
            print(f"  importer memory on {LONG_LINE_MB} MB single lines:", flush=True)
            results["long_lines"] = {}
            for path in write_long_lines(workdir):
                run = timed_import(importer_env, path)
                results["long_lines"][path.suffix] = run
                print(
                    f"    {path.name}: {run['peak_rss_mb']:.0f} MB, exit {run['exit_status']}, "
                    f"{run['summary']}",
                    flush=True,
                )
                path.unlink()
            results["tracker_pulls"] = bench_pull.bench_pulls(importer_env, workdir)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        drop_database(kind)
    return results


def main() -> int:
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="timesheets-bench-"))
    load = os.getloadavg()[0]
    results = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_start": load,
        "databases": [bench_database(kind, workdir) for kind in DATABASES],
    }
    results["seconds"] = time.perf_counter() - started
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    tables = result_tables(results)
    print("\n" + tables)
    page = PERFORMANCE_PAGE.relative_to(PROJECT_DIR)
    if not SCALED_DOWN:
        write_tables(PERFORMANCE_PAGE, tables)  # only a full run stands for the project's figures
        print(f"written to {RESULTS.name} and {page}")
    else:
        print(f"written to {RESULTS.name}; {page} is left as it is (not a full run)")
    return 0


# --- the table ----------------------------------------------------------------------------


def summary_rows(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    first = r["imports"][0]
    ratio = r["imports"][-1]["entries_per_second"] / r["per_entry_client"]["entries_per_second"]
    late = r["import_at_table_rows"]["entries_per_second"]
    reads = r["reads"]["filters_and_orderings_p50_ms"]
    slowest = max(reads, key=reads.__getitem__)
    pages = r["reads"]["pages_p50_ms"]
    admin = r["admin_p50_ms"]
    rows = [
        (
            f"import {run['rows']:,} rows, start to exit",
            f"{run['entries_per_second']:,.0f} entries/s ({run['seconds']:.1f} s, "
            f"{run['peak_rss_mb']:.0f} MB); {run['entries_per_cpu_second']:,.0f} per CPU-second "
            f"(importer {run['cpu_seconds']:.1f} s + API {run['api_cpu_seconds']:.1f} s)",
            ">= 20,000/s",
        )
        for run in r["imports"]
    ]
    late_cpu = r["import_at_table_rows"]["entries_per_cpu_second"]
    rows += [
        (
            "a run of no rows, start to exit, fetching the token",
            f"{r['token_run']['seconds']:.2f} s (once in a token's hour; the imports read it cached)",
            "",
        ),
        (
            f"import {first['rows']:,} rows at {TABLE_ROWS:,} entries",
            f"{late:,.0f} entries/s: {late / first['entries_per_second']:.0%} of the empty-table rate; "
            f"per CPU-second {late_cpu / first['entries_per_cpu_second']:.0%}",
            ">= 80%",
        ),
        (
            "one request per entry",
            f"{r['per_entry_client']['entries_per_second']:,.0f} entries/s; import is {ratio:.0f}x that",
            ">= 50x",
        ),
        (
            f"{len(reads)} reads: filters, combinations, orderings",
            f"p50 slowest {reads[slowest]:.1f} ms ({slowest}); "
            f"median {statistics.median(reads.values()):.1f} ms",
            "< 50 ms",
        ),
    ]
    rows += [(f"`{path}`", f"p50 {ms:.1f} ms", "") for path, ms in pages.items()]
    rows += [(f"admin {name}", f"p50 {ms:.1f} ms", "< 300 ms") for name, ms in admin.items()]
    for suffix, run in r.get("long_lines", {}).items():
        rows.append(
            (
                f"importer, one {LONG_LINE_MB} MB line ({suffix})",
                f"peak RSS {run['peak_rss_mb']:.0f} MB (exit {run['exit_status']})",
                "< 150 MB",
            )
        )
    rows += bench_pull.table_rows(r.get("tracker_pulls", {}))
    rows += bench_friday.table_rows(r.get("friday", {}))
    return rows


def result_tables(results: dict[str, Any]) -> str:
    """The run's tables in Markdown: when, where, how loaded, then one table per database."""
    load = results["load_average_at_start"]
    lines = [
        f"`make bench` on {results['date']}: {results['machine']}; load average {load:.2f} at the "
        f"start; the run took {results['seconds'] / 60:.1f} minutes.",
    ]
    for r in results["databases"]:
        loaded = f"{TABLE_ROWS:,} entries loaded in {r['load_seconds']:.0f} s"
        lines += ["", f"**{r['database']}** (gunicorn, {r['api_workers']} workers; {loaded})", ""]
        lines += ["| measure | figure | target |", "| --- | --- | --- |"]
        lines += ["| " + " | ".join(row) + " |" for row in summary_rows(r)]
    return "\n".join(lines) + "\n"


def write_tables(page: Path, tables: str) -> None:
    """Replaces the page's measured tables, between its two markers, with this run's."""
    text = page.read_text()
    before, rest = text.split(RESULTS_START, 1)
    _, after = rest.split(RESULTS_END, 1)
    page.write_text(f"{before}{RESULTS_START}\n{tables}{RESULTS_END}{after}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(int(sys.argv[2]))
        sys.exit(0)
    if sys.argv[1:2] == ["admin"]:
        sys.exit(admin_only())
    sys.exit(main())
