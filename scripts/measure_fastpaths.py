"""The figures docs/performance.md and docs/api.md quote for the import's fast paths.

    .venv/bin/python scripts/measure_fastpaths.py          # every part, about twenty seconds
    .venv/bin/python scripts/measure_fastpaths.py encode   # one part, or several, by name (below)

In process, on a throwaway SQLite database (a temporary folder, migrated here), CPU time of
this process (time.process_time), the best of a few repeats so that other load on the
machine counts as little as it can:

- check: DRF's serializer against timesheets/fastcheck.py, per import-shaped entry;
- encode: the importer's entry encoder (orjson) against the json module's, per entry;
- prepare: each row's fields prepared as `bulk_create` prepares them, against
  timesheets/fastinsert.py's column by column, per row of a batch of 500;
- batch: a batch of 500 entries validated and written by the service, new then unchanged,
  per entry, with the fast check and with the serializer alone;
- audit: 20,000 new entries written in batches of 500, with and without their creation
  events, and with django-simple-history's `bulk_create_with_history` when it is installed;
- ijson: the peak memory of reading one deeply nested item, importer/jsonarray.py against
  ijson when it is installed.

django-simple-history and ijson are not requirements of the project: a part that needs one
says so and is skipped when it is missing (`.venv/bin/pip install django-simple-history ijson`
to run them).
"""

from __future__ import annotations

import functools
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
BATCH = 500
AUDIT_ROWS = 20_000
REPEATS = 5


def setup_django() -> None:
    folder = tempfile.mkdtemp(prefix="timesheets-measure-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/measure.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def cpu(action: Callable[[], Any], repeats: int = REPEATS, before: Callable[[], Any] | None = None) -> float:
    """The least CPU seconds of `repeats` runs of `action`, each after `before` (untimed)."""
    best = float("inf")
    for _ in range(repeats):
        if before:
            before()
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def entries(count: int, prefix: str = "m") -> list[dict[str, Any]]:
    """Entries as the importer sends them: strings from a CSV export, keyed."""
    return [
        {
            "user_type": "Contractor",
            "user_id": f"u-{n % 200:03d}",
            "year": "2024",
            "week": str(1 + n % 52),
            "project": f"Project {n % 7}",
            "hours": "7.50",
            "external_id": f"{prefix}:{n}",
        }
        for n in range(count)
    ]


def per_item(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:.1f} µs"


def measure_check() -> None:
    from timesheets.fastcheck import entry_checker
    from timesheets.serializers import TimesheetSerializer

    items = entries(BATCH)
    serializer = TimesheetSerializer()
    checker = entry_checker(TimesheetSerializer)
    assert all(checker.validated(item) is not None for item in items), "the fast check declined an item"
    slow = cpu(lambda: [serializer.run_validation(item) for item in items])
    fast = cpu(lambda: [checker.validated(item) for item in items])
    print(f"check, per entry: DRF's serializer {per_item(slow, BATCH)}, fastcheck.py {per_item(fast, BATCH)}")


def measure_encode() -> None:
    from importer.pipeline import _json_encode, encode_entry

    batch, rounds = entries(BATCH), 20

    def encode_batches(encode: Callable[[dict[str, Any]], bytes]) -> None:
        # As the importer does: a batch's entries encoded and kept until it is sent.
        for _ in range(rounds):
            [encode(item) for item in batch]

    stdlib = cpu(lambda: encode_batches(lambda item: _json_encode(item).encode("utf-8")))
    fast = cpu(lambda: encode_batches(encode_entry))
    print(
        f"encode, per entry: the json module {per_item(stdlib, BATCH * rounds)}, "
        f"orjson (importer/pipeline.py) {per_item(fast, BATCH * rounds)}"
    )


def measure_prepare() -> None:
    from django.db import connection

    from timesheets.models import Timesheet

    batch = entries(BATCH)
    fields = [field for field in Timesheet._meta.concrete_fields if not field.primary_key]

    def as_bulk_create() -> None:
        # What bulk_create's INSERT does for each row: every field's value through its
        # pre_save and get_db_prep_save, one call per field per row.
        for entry in batch:
            timesheet = Timesheet(created_by="measure", **entry)
            [field.get_db_prep_save(field.pre_save(timesheet, True), connection) for field in fields]

    slow = cpu(as_bulk_create)
    fast = cpu(lambda: Timesheet.objects.prepare_new("measure", batch))
    print(
        f"prepare, per row of {BATCH}: as bulk_create does {per_item(slow, BATCH)}, "
        f"fastinsert.py {per_item(fast, BATCH)}"
    )


def _write(items: Sequence[dict[str, Any]], fast_check: bool) -> None:
    """A batch as the batch endpoint takes it, without the HTTP around it: each item checked
    (by fastcheck.py first when `fast_check`, as the view does), then written by the service."""
    from timesheets import services
    from timesheets.fastcheck import entry_checker
    from timesheets.serializers import TimesheetSerializer

    serializer = TimesheetSerializer()
    checker = entry_checker(TimesheetSerializer)
    valid = [
        (checker.validated(item) if fast_check else None) or serializer.run_validation(item) for item in items
    ]
    services.timesheets_upsert(created_by="measure", entries=valid)


def _empty() -> None:
    from timesheets.models import Timesheet, TimesheetEvent

    TimesheetEvent.objects.all().delete()
    Timesheet.objects.all().delete()


def measure_batch() -> None:
    for fast_check, name in [(False, "the serializer alone"), (True, "with fastcheck.py")]:
        write = functools.partial(_write, entries(BATCH), fast_check)
        new = cpu(write, before=_empty)
        unchanged = cpu(write)  # the same batch again
        print(
            f"batch of {BATCH}, checked and written, per entry, {name}: "
            f"new {per_item(new, BATCH)}, unchanged {per_item(unchanged, BATCH)}"
        )
    _empty()


def measure_audit() -> None:
    from timesheets.models import Timesheet, TimesheetEventQuerySet
    from timesheets.serializers import TimesheetSerializer

    serializer = TimesheetSerializer()
    batches = [
        [serializer.run_validation(item) for item in entries(BATCH, prefix=f"a{start}")]
        for start in range(0, AUDIT_ROWS, BATCH)
    ]

    def import_all() -> None:
        from timesheets import services

        for batch in batches:
            services.timesheets_upsert(created_by="measure", entries=batch)

    with_events = cpu(import_all, repeats=3, before=_empty)
    # Without them: no changes computed, prepared or inserted (the service's only work for them).
    with (
        mock.patch("timesheets.services.diff", lambda before, after: {}),
        mock.patch.object(TimesheetEventQuerySet, "prepare_changes", lambda self, changes: changes),
        mock.patch.object(TimesheetEventQuerySet, "record_creations", lambda *args, **kwargs: None),
    ):
        without = cpu(import_all, repeats=3, before=_empty)
    print(
        f"audit, {AUDIT_ROWS:,} new entries in batches of {BATCH}: {without:.2f} s of CPU without "
        f"creation events, {with_events:.2f} s with them "
        f"({(with_events - without) / AUDIT_ROWS * 1e6:.0f} µs an entry)"
    )
    try:
        from simple_history import register
        from simple_history.utils import bulk_create_with_history
    except ImportError:
        print("audit, django-simple-history: skipped (not installed: pip install django-simple-history)")
        _empty()
        return
    from django.db import connection

    register(Timesheet)  # a HistoricalTimesheet, its table made here rather than by a migration
    historical = Timesheet.history  # type: ignore[attr-defined]  # register() adds it at run time
    with connection.schema_editor() as editor:
        editor.create_model(historical.model)

    def bulk_all() -> None:
        for batch in batches:
            bulk_create_with_history([Timesheet(created_by="measure", **entry) for entry in batch], Timesheet)

    def empty_all() -> None:
        _empty()
        historical.all().delete()

    history = cpu(bulk_all, repeats=3, before=empty_all)
    print(
        f"audit, django-simple-history's bulk_create_with_history, the same entries: {history:.2f} s of CPU"
    )
    _empty()


def measure_ijson() -> None:
    from importer.jsonarray import JsonArrayItems

    def peak_mb(read: Callable[[io.BytesIO], Any], body: bytes) -> float:
        tracemalloc.start()
        read(io.BytesIO(body))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak / 1e6

    try:
        import ijson
    except ImportError:
        ijson = None
        print("ijson: skipped the comparison (not installed: pip install ijson)")
    for depth in (1_000, 2_000, 4_000):
        body = b"[" + b"[" * depth + b"]" * depth + b"]"
        ours = peak_mb(lambda stream: list(JsonArrayItems(stream)), body)
        line = f"one item nested {depth:,} deep: jsonarray.py peaks at {ours:.1f} MB"
        if ijson is not None:
            try:
                theirs = f"{peak_mb(lambda stream: list(ijson.items(stream, 'item')), body):.1f} MB"
            except RecursionError:
                theirs = "a RecursionError"
            line += f", ijson at {theirs}"
        print(line)


PARTS = {
    "check": measure_check,
    "encode": measure_encode,
    "prepare": measure_prepare,
    "batch": measure_batch,
    "audit": measure_audit,
    "ijson": measure_ijson,
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in PARTS]
    if unknown:
        print(f"unknown part {', '.join(unknown)}; the parts are {', '.join(PARTS)}")
        return 2
    setup_django()
    print(
        f"CPU per item, best of {REPEATS} (audit: of 3); load average {os.getloadavg()[0]:.2f} at the start"
    )
    for name in names or PARTS:
        PARTS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
