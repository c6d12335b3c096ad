"""Writes to timesheets. Views parse and render; the rules about what gets written live here."""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Timesheet, TimesheetEvent

CONTENT_FIELDS = ("user_type", "user_id", "year", "week", "project", "hours")
# Concurrent first imports of one key can both miss it and both insert; the loser gets an
# IntegrityError from the unique constraint and, on the next attempt, finds the winner's row.
UPSERT_ATTEMPTS = 3


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class UpsertResult:
    outcome: Outcome
    timesheet: Timesheet


class TimesheetApproved(Exception):
    """An approved entry is a record of payment: it can be neither changed nor deleted."""


def timesheets_upsert(*, created_by: str, entries: Sequence[dict[str, Any]]) -> list[UpsertResult]:
    """Creates or updates validated entries, keyed by (created_by, external_id), in one transaction.

    An entry without external_id is always created. An entry sent again unchanged writes
    nothing; one changed after approval is a conflict and writes nothing either.
    """
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        # Built before the transaction: on SQLite its write lock holds back every other
        # worker, so it should cover only the queries.
        candidates = [Timesheet(created_by=created_by, **entry) for entry in entries]
        try:
            with transaction.atomic():
                return _upsert(created_by, entries, candidates)
        except IntegrityError:
            if attempt == UPSERT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _upsert(
    created_by: str, entries: Sequence[dict[str, Any]], candidates: list[Timesheet]
) -> list[UpsertResult]:
    keys = {entry["external_id"] for entry in entries if entry.get("external_id")}
    by_key: dict[str, Timesheet] = {}
    if keys:
        by_key = {
            timesheet.external_id: timesheet
            # Locks taken, and rows inserted, in key order: two batches with the same keys in
            # another order would otherwise deadlock on PostgreSQL.
            for timesheet in Timesheet.objects.select_for_update()
            .filter(created_by=created_by, external_id__in=keys)
            .order_by("external_id")
        }

    results: list[UpsertResult] = []
    to_create: list[Timesheet] = []
    to_update: dict[int, Timesheet] = {}
    for entry, candidate in zip(entries, candidates, strict=True):
        key = entry.get("external_id")
        current = by_key.get(key) if key else None
        if current is None:
            timesheet = candidate
            to_create.append(timesheet)
            if key:
                by_key[key] = timesheet
            results.append(UpsertResult(Outcome.CREATED, timesheet))
        elif tuple(entry[name] for name in CONTENT_FIELDS) == current.content:
            results.append(UpsertResult(Outcome.UNCHANGED, current))
        elif current.approved:
            results.append(UpsertResult(Outcome.CONFLICT, current))
        else:
            for name in CONTENT_FIELDS:
                setattr(current, name, entry[name])
            if current.pk is not None:
                to_update[current.pk] = current
            results.append(UpsertResult(Outcome.UPDATED, current))

    if to_create:
        _insert(created_by, to_create)
    if to_update:
        now = timezone.now()
        for timesheet in to_update.values():
            timesheet.updated_at = now
        Timesheet.objects.bulk_update(to_update.values(), [*CONTENT_FIELDS, "updated_at"])
        # A creation is recorded on the entry itself (created_by, created_at): an event row
        # per created entry would double the cost of an import and add no fact.
        TimesheetEvent.objects.bulk_create(
            [
                TimesheetEvent.of(TimesheetEvent.Action.UPDATED, timesheet, created_by)
                for timesheet in to_update.values()
            ]
        )
    return results


def _insert(created_by: str, timesheets: list[Timesheet]) -> None:
    """bulk_create, for a fraction of its cost per row on the import's hot path.

    Measured (make bench): bulk_create spends ~80 µs a row converting each field, and on
    SQLite that time is spent holding the write lock that serialises every worker. Keyed
    entries (every imported one) are inserted with one executemany of values adapted once,
    and their ids read back with one query by key; the rest go through bulk_create.
    """
    keyed = sorted((t for t in timesheets if t.external_id), key=lambda timesheet: timesheet.external_id)
    unkeyed = [timesheet for timesheet in timesheets if not timesheet.external_id]
    if unkeyed:
        Timesheet.objects.bulk_create(unkeyed)
    if not keyed:
        return
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    columns = [
        *CONTENT_FIELDS,
        "external_id",
        "created_by",
        "created_at",
        "updated_at",
        "approved",
        "approved_by",
    ]
    rows = []
    for timesheet in keyed:
        timesheet.created_at = timesheet.updated_at = now
        content = [getattr(timesheet, name) for name in CONTENT_FIELDS]
        content[5] = connection.ops.adapt_decimalfield_value(timesheet.hours, 5, 2)
        rows.append([*content, timesheet.external_id, created_by, stamp, stamp, False, ""])
    table = connection.ops.quote_name(Timesheet._meta.db_table)
    names = ", ".join(connection.ops.quote_name(Timesheet._meta.get_field(name).column) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608
    ids = dict(
        Timesheet.objects.filter(
            created_by=created_by, external_id__in=[t.external_id for t in keyed]
        ).values_list("external_id", "pk")
    )
    for timesheet in keyed:
        timesheet.pk = ids[timesheet.external_id]
        timesheet._state.adding = False
        timesheet._state.db = "default"


@transaction.atomic
def timesheet_approve(*, timesheet_id: int, approved_by: str) -> Timesheet:
    """Approves once: approving again keeps the first approver and time."""
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if not timesheet.approved:
        timesheet.approved = True
        timesheet.approved_at = timezone.now()
        timesheet.approved_by = approved_by
        timesheet.save(update_fields=["approved", "approved_at", "approved_by", "updated_at"])
        TimesheetEvent.of(TimesheetEvent.Action.APPROVED, timesheet, approved_by).save()
    return timesheet


@transaction.atomic
def timesheet_delete(*, timesheet_id: int, deleted_by: str) -> None:
    # The row lock orders a delete against a concurrent approve: one of them sees the other.
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if timesheet.approved:
        raise TimesheetApproved(timesheet_id)
    TimesheetEvent.of(TimesheetEvent.Action.DELETED, timesheet, deleted_by).save()
    timesheet.delete()


@transaction.atomic
def timesheet_save(*, timesheet: Timesheet, actor: str) -> None:
    """A save from the admin form, recorded like any other change."""
    action = TimesheetEvent.Action.UPDATED if timesheet.pk else TimesheetEvent.Action.CREATED
    if not timesheet.created_by:
        timesheet.created_by = actor
    timesheet.save()
    TimesheetEvent.of(action, timesheet, actor).save()


# --- Reconciling a time tracker's window -------------------------------------------------
# The importer pulls whole ISO weeks from a tracker; what it no longer finds there must go.

# The ISO week inside a tracker key "tool:person:YYYY-Www:project"; the person before it.
TRACKER_KEY_WEEK = re.compile(r":(\d{4})-W(\d{2}):")


@dataclass(frozen=True)
class ReconcileResult:
    deleted: list[Timesheet]
    conflicts: list[Timesheet]


def tracker_key_person(key: str, prefix: str) -> str | None:
    """The person a tracker key names, compared as the importer's --users map compares them."""
    match = TRACKER_KEY_WEEK.search(key, len(prefix))
    if match is None:
        return None
    return normalized_person(key[len(prefix) : match.start()])


def normalized_person(text: str) -> str:
    return " ".join(text.split()).casefold()


@transaction.atomic
def timesheets_reconcile(
    *,
    created_by: str,
    prefix: str,
    first_week: tuple[int, int],
    last_week: tuple[int, int],
    keep: Collection[str],
    persons: Collection[str] | None = None,
    dry_run: bool = False,
) -> ReconcileResult:
    """Deletes the caller's entries keyed under `prefix` in the window that are not in `keep`.

    Only the caller's own keyed entries are candidates, so a client can remove nothing it
    could not have overwritten anyway. `persons`, when given, narrows the candidates to the
    people the tracker account knows: keys carry no account id, so this keeps one account's
    run from removing time another account of the same tool sent with the same client.
    An approved entry is never deleted: it is returned as a conflict. All or nothing.
    """
    (first_year, first), (last_year, last) = first_week, last_week
    in_window = (Q(year__gt=first_year) | Q(year=first_year, week__gte=first)) & (
        Q(year__lt=last_year) | Q(year=last_year, week__lte=last)
    )
    kept = set(keep)
    known = {normalized_person(person) for person in persons} if persons is not None else None
    deleted: list[Timesheet] = []
    conflicts: list[Timesheet] = []
    candidates = (
        Timesheet.objects.select_for_update()
        .filter(in_window, created_by=created_by, external_id__startswith=prefix)
        .order_by("external_id")  # the upsert's lock order, so the two never deadlock
    )
    for timesheet in candidates:
        key = timesheet.external_id
        if key in kept or (known is not None and tracker_key_person(key, prefix) not in known):
            continue
        (conflicts if timesheet.approved else deleted).append(timesheet)
    if deleted and not dry_run:
        TimesheetEvent.objects.bulk_create(
            [TimesheetEvent.of(TimesheetEvent.Action.DELETED, timesheet, created_by) for timesheet in deleted]
        )
        Timesheet.objects.filter(pk__in=[timesheet.pk for timesheet in deleted]).delete()
    return ReconcileResult(deleted, conflicts)
