"""Figures for the admin's screens and the export at a million entries; prints numbers, tests nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ts_screens .venv/bin/python scripts/bench_screens.py

Fills the database named by DATABASE_URL (SQLite by default) with BENCH_SCREEN_ROWS entries
(default 1,000,000: 2,000 people, 60 projects, ten years of weeks) unless it holds them
already, then times, in process with Django's test client, the weekly picture, the entries
list and its week filter and search, and the CSV export (its time, size and the peak memory
of a process that streams it all).
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ROWS = int(os.getenv("BENCH_SCREEN_ROWS", "1000000"))
REPEAT = 5


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")
    import django

    django.setup()


def fill(rows: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from timesheets.models import Timesheet

    have = Timesheet.objects.count()
    if have >= rows:
        return
    print(f"filling {rows - have:,} entries …", flush=True)
    randomly = random.Random(7)  # noqa: S311 (figures, not secrets)
    weeks = [(year, week) for year in range(2016, 2026) for week in range(1, 53)]
    columns = "user_type, user_id, year, week, project, hours, external_id, created_by, "
    columns += "created_at, updated_at, approved, approved_by"
    sql = f"INSERT INTO timesheets_timesheet ({columns}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for start in range(have, rows, 50_000):
        batch = []
        for number in range(start, min(rows, start + 50_000)):
            year, week = weeks[number % len(weeks)]
            person = randomly.randrange(2000)
            approved = randomly.random() < 0.7
            batch.append(
                (
                    "Employee" if person % 3 else "Contractor",
                    f"u-{person:05d}",
                    year,
                    week,
                    f"project {randomly.randrange(60):02d}",
                    f"{randomly.randrange(1, 4000) / 100:.2f}",
                    f"bench:{number}",
                    f"client-{person % 5}",
                    now,
                    now,
                    approved,
                    "user:payroll" if approved else "",
                )
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE timesheets_timesheet")


def timed(client, path: str) -> float:
    """Median milliseconds of REPEAT requests, after one to warm the caches."""
    client.get(path)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def export_in_a_fresh_process() -> None:
    """Streams the whole export; prints seconds, megabytes and the process's peak RSS."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.http import StreamingHttpResponse
    from django.test import Client

    client = Client(HTTP_HOST="localhost")  # an allowed host, as a browser on this machine sends
    client.force_login(get_user_model().objects.get(username="bench-payroll"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/timesheets/export")
    assert isinstance(response, StreamingHttpResponse)  # the export streams
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"export: {seconds:.1f} s, {size / 1e6:.0f} MB,"
        f" peak RSS {peak / 1024:.0f} MB (before streaming {before / 1024:.0f} MB)"
    )


def main() -> None:
    if sys.argv[1:] == ["--export"]:
        export_in_a_fresh_process()
        return
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    fill(ROWS)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-payroll", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")  # an allowed host, as a browser on this machine sends
    client.force_login(user)
    weekly = "/admin/timesheets/timesheet/weekly/"
    entries = "/admin/timesheets/timesheet/"
    print(f"{ROWS:,} entries on {connection.vendor}; median of {REPEAT} requests:")
    for label, path in (
        ("weekly picture, 8 weeks", weekly),
        ("weekly picture, 26 weeks", weekly + "?week_from=2024-W01&week_to=2024-W26"),
        ("entries list, first page", entries),
        ("entries list, one week", entries + "?week_from=2025-W10&week_to=2025-W10"),
        ("entries list, search by person", entries + "?q=u-01234"),
        ("entries list, page 500", entries + "?p=500"),
    ):
        print(f"  {label}: {timed(client, path):.0f} ms", flush=True)
    subprocess.run([sys.executable, __file__, "--export"], check=True)


if __name__ == "__main__":
    main()
