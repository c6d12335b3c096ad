"""Writes to timesheets. Views parse and render; the rules about what gets written live here."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone

from common.keys import tracker_key_person
from common.names import normalized_person
from common.weeks import IsoWeek

from .creators import is_client_actor
from .models import CONTENT_FIELDS, DELETION, ImportConflict, Timesheet, TimesheetEvent, diff, recorded_state
from .weeks import between

# Concurrent first imports of one key can both miss it and both insert; the loser gets an
# IntegrityError from the unique constraint and, on the next attempt, finds the winner's row.
UPSERT_ATTEMPTS = 3


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


class _Creation:
    """An entry the batch creates: its prepared row and event, and once written its id.

    Its model instance is built only when a caller asks for it (the single-entry answer
    does; a batch answers with ids alone).
    """

    def __init__(self, created_by: str, entry: dict[str, Any], index: int) -> None:
        self.created_by, self.entry, self.index = created_by, entry, index
        self.pk: int | None = None
        self.at: datetime.datetime | None = None
        self._timesheet: Timesheet | None = None

    @property
    def timesheet(self) -> Timesheet:
        if self._timesheet is None:
            # Read only once `_upsert` has returned, and `_create` gives every creation its time.
            at = cast(datetime.datetime, self.at)
            self._timesheet = Timesheet(
                created_by=self.created_by, **self.entry, created_at=at, updated_at=at
            )
        timesheet = self._timesheet
        timesheet.pk = self.pk
        timesheet._state.adding = self.pk is None
        return timesheet


@dataclass(frozen=True)
class UpsertResult:
    outcome: Outcome
    written: Timesheet | _Creation

    @property
    def id(self) -> int | None:
        return self.written.pk

    @property
    def timesheet(self) -> Timesheet:
        written = self.written
        return written.timesheet if isinstance(written, _Creation) else written


@dataclass(frozen=True)
class _Prepared:
    """What a batch would write for each entry if it were new: built before the transaction.

    On SQLite every worker's transaction waits for the one holding the write lock, so
    whatever does not depend on what the transaction reads is done before it opens.
    """

    rows: list[tuple[Any, ...]]
    changes: list[Any]
    # Entries without a key, by position: always created, whatever the transaction reads.
    # Built afresh for each attempt, as `bulk_create` gives them ids.
    unkeyed: dict[int, Timesheet]


class TimesheetApproved(Exception):
    """An approved entry is a record of payment: it can be neither changed nor deleted."""


class OwnEntry(Exception):
    """An entry is approved by someone else than its person."""


def timesheets_upsert(
    *, created_by: str, entries: Sequence[dict[str, Any]], dry_run: bool = False
) -> list[UpsertResult]:
    """Creates or updates validated entries, keyed by (created_by, external_id), in one transaction.

    An entry without external_id is always created. An entry sent again unchanged writes
    nothing; one changed after approval is a conflict and writes nothing either.
    A dry run takes the very same path and rolls its transaction back, so its preview is
    exactly what a write would have done; a would-be created entry has no id then.
    """
    rows = Timesheet.objects.prepare_new(created_by, entries)
    changes = TimesheetEvent.objects.prepare_changes([diff({}, recorded_state(entry)) for entry in entries])
    for attempt in range(1, UPSERT_ATTEMPTS + 1):
        unkeyed = {
            n: Timesheet(created_by=created_by, **entry)
            for n, entry in enumerate(entries)
            if not entry.get("external_id")
        }
        prepared = _Prepared(rows, changes, unkeyed)
        try:
            with transaction.atomic():
                results = _upsert(created_by, entries, prepared)
                if not dry_run and is_client_actor(created_by):
                    _record_conflicts(created_by, entries, results)
                if dry_run:
                    transaction.set_rollback(True)
                    for result in results:
                        if isinstance(result.written, _Creation):
                            result.written.pk = None
                return results
        except IntegrityError:
            if attempt == UPSERT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _record_conflicts(
    created_by: str, entries: Sequence[dict[str, Any]], results: list[UpsertResult]
) -> None:
    """What the import said of approved entries, for payroll to decide (docs/payroll.md).

    Only a client's (a time tracker's import): a person re-sending their own approved entry,
    or a staff user, is answered `conflict` and nothing more, or accepting the proposal would
    withdraw a paid approval in the sender's favour, and each new content would add a row.
    """
    proposals = [
        (cast(int, result.id), recorded_state(entry))
        for entry, result in zip(entries, results, strict=True)
        if result.outcome is Outcome.CONFLICT
    ]
    if proposals:  # the hot path, without conflicts, costs nothing more
        ImportConflict.objects.record(created_by, proposals)


def _upsert(created_by: str, entries: Sequence[dict[str, Any]], prepared: _Prepared) -> list[UpsertResult]:
    keys = {entry["external_id"] for entry in entries if entry.get("external_id")}
    by_key: dict[str, Timesheet | _Creation] = {}
    if keys:
        by_key = {
            cast(str, timesheet.external_id): timesheet  # selected by key: never NULL
            # Locks taken, and rows inserted, in key order: two batches with the same keys in
            # another order would otherwise deadlock on PostgreSQL.
            for timesheet in Timesheet.objects.select_for_update()
            .filter(created_by=created_by, external_id__in=keys)
            .order_by("external_id")
        }

    results: list[UpsertResult] = []
    to_create: list[_Creation] = []
    to_update: dict[int, Timesheet] = {}
    before: dict[int, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        key = entry.get("external_id")
        current = by_key.get(key) if key else None
        if current is None:
            creation = _Creation(created_by, entry, index)
            to_create.append(creation)
            if key:
                by_key[key] = creation
            results.append(UpsertResult(Outcome.CREATED, creation))
        elif isinstance(current, _Creation):
            # The key came earlier in this batch: the row it creates takes this entry's content.
            if tuple(entry[name] for name in CONTENT_FIELDS) == _content(current.entry):
                results.append(UpsertResult(Outcome.UNCHANGED, current))
            else:
                current.entry, current.index = entry, index
                results.append(UpsertResult(Outcome.UPDATED, current))
        elif tuple(entry[name] for name in CONTENT_FIELDS) == current.content:
            results.append(UpsertResult(Outcome.UNCHANGED, current))
        elif current.approved:
            results.append(UpsertResult(Outcome.CONFLICT, current))
        else:
            before.setdefault(current.pk, current.recorded())
            to_update[current.pk] = current
            for name in CONTENT_FIELDS:
                setattr(current, name, entry[name])
            clear_sent_back(current)
            results.append(UpsertResult(Outcome.UPDATED, current))

    if to_create:
        _create(created_by, to_create, prepared)
    if to_update:
        now = timezone.now()
        for timesheet in to_update.values():
            timesheet.updated_at = now
        Timesheet.objects.bulk_update(to_update.values(), [*CONTENT_FIELDS, *SENT_BACK_FIELDS, "updated_at"])
        TimesheetEvent.objects.insert_rows(
            [TimesheetEvent.updated(before[pk], timesheet, created_by) for pk, timesheet in to_update.items()]
        )
    return results


def _content(entry: dict[str, Any]) -> tuple:
    return tuple(entry[name] for name in CONTENT_FIELDS)


def _create(created_by: str, creations: list[_Creation], prepared: _Prepared) -> None:
    """Writes the new entries and their "created" events from the rows prepared before the lock."""
    now = timezone.now()
    keyed = [creation for creation in creations if creation.index not in prepared.unkeyed]
    ids = Timesheet.objects.insert_new([prepared.rows[creation.index] for creation in keyed], now)
    for creation, pk in zip(keyed, ids, strict=True):
        creation.pk, creation.at = pk, now
    unkeyed = [creation for creation in creations if creation.index in prepared.unkeyed]
    if unkeyed:
        instances = Timesheet.objects.bulk_create([prepared.unkeyed[creation.index] for creation in unkeyed])
        for creation, timesheet in zip(unkeyed, instances, strict=True):
            creation._timesheet = timesheet
            creation.pk, creation.at = timesheet.pk, timesheet.created_at
    # Each event at its entry's creation time, in the batch's order; both branches above
    # have given every creation its id and time.
    TimesheetEvent.objects.record_creations(
        [cast(int, creation.pk) for creation in creations],
        [prepared.changes[creation.index] for creation in creations],
        created_by,
        [cast(datetime.datetime, creation.at) for creation in creations],
    )


@transaction.atomic
def timesheet_approve(
    *, timesheet_id: int, approved_by: str, approver: tuple[str, str] | None = None
) -> Timesheet:
    """Approves once: approving again keeps the first approver and time, and records nothing.

    `approver` is the approving person's own (user_type, user_id), where they are a person:
    nobody approves their own entry, whichever page or token they use.
    """
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if approver == (timesheet.user_type, timesheet.user_id):
        raise OwnEntry(timesheet_id)
    if not timesheet.approved:
        timesheet.approved = True
        timesheet.approved_at = timezone.now()
        timesheet.approved_by = approved_by
        timesheet.save(update_fields=["approved", "approved_at", "approved_by", "updated_at"])
        TimesheetEvent.approved(timesheet, approved_by).save()
    return timesheet


@transaction.atomic
def timesheet_delete(*, timesheet_id: int, deleted_by: str) -> None:
    # The row lock orders a delete against a concurrent approve: one of them sees the other.
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if timesheet.approved:
        raise TimesheetApproved(timesheet_id)
    TimesheetEvent.deleted(timesheet, deleted_by).save()
    timesheet.delete()


@transaction.atomic
def timesheet_change(*, timesheet_id: int, changes: dict[str, Any], changed_by: str) -> Timesheet:
    """Corrects an entry's content (PATCH); an approved one is a record of payment and stays.

    A change that changes nothing writes nothing and records nothing.
    """
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if timesheet.approved:
        raise TimesheetApproved(timesheet_id)
    before = timesheet.recorded()
    changed = [name for name, value in changes.items() if getattr(timesheet, name) != value]
    if changed:
        for name in changed:
            setattr(timesheet, name, changes[name])
        clear_sent_back(timesheet)
        timesheet.save(update_fields=[*changed, *SENT_BACK_FIELDS, "updated_at"])
        TimesheetEvent.updated(before, timesheet, changed_by).save()
    return timesheet


@transaction.atomic
def timesheet_save(*, timesheet: Timesheet, actor: str) -> None:
    """A save from the admin form, recorded like any other change (a save that changes nothing, not)."""
    if timesheet.pk is None:
        if not timesheet.created_by:
            timesheet.created_by = actor
        timesheet.save()
        TimesheetEvent.created(timesheet, actor).save()
        return
    before = Timesheet.objects.select_for_update().get(pk=timesheet.pk).recorded()
    event = TimesheetEvent.updated(before, timesheet, actor)
    if event.changes:
        clear_sent_back(timesheet)
    timesheet.save()
    if event.changes:
        event.save()


# What sending an entry back sets, and an edit clears.
SENT_BACK_FIELDS = ("sent_back_comment", "sent_back_by", "sent_back_at")


def clear_sent_back(timesheet: Timesheet) -> None:
    """An edit answers payroll's comment: the entry is no longer "sent back" once it changed.

    Every write that changes an entry's content calls this before saving (with
    SENT_BACK_FIELDS among the fields it writes).
    """
    timesheet.sent_back_comment, timesheet.sent_back_by, timesheet.sent_back_at = "", "", None


@transaction.atomic
def timesheet_send_back(*, timesheet_id: int, comment: str, sent_back_by: str) -> Timesheet:
    """Payroll asks the person to correct an entry: the comment stays on it until their next edit.

    An approved entry is a record of payment and is not sent back: withdraw the approval first.
    """
    comment = comment.strip()
    if not comment:
        raise ValueError("Sending an entry back needs a comment saying what to correct.")
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if timesheet.approved:
        raise TimesheetApproved(timesheet_id)
    before = timesheet.sent_back_comment
    timesheet.sent_back_comment, timesheet.sent_back_by = comment, sent_back_by
    timesheet.sent_back_at = timezone.now()
    timesheet.save(update_fields=[*SENT_BACK_FIELDS, "updated_at"])
    TimesheetEvent.sent_back(timesheet, sent_back_by, before).save()
    return timesheet


@transaction.atomic
def timesheet_unapprove(*, timesheet_id: int, unapproved_by: str) -> Timesheet:
    """Lifts an approval made in error, so the entry can be corrected or deleted again.

    Only callers allowed to approve may call it (the admin checks the approve permission):
    approval is what guards an entry, and whoever may set that guard may lift it.
    """
    timesheet = Timesheet.objects.select_for_update().get(pk=timesheet_id)
    if timesheet.approved:
        timesheet.approved = False
        timesheet.approved_at = None
        timesheet.approved_by = ""
        timesheet.save(update_fields=["approved", "approved_at", "approved_by", "updated_at"])
        TimesheetEvent.unapproved(timesheet, unapproved_by).save()
    return timesheet


# --- Reconciling a time tracker's window -------------------------------------------------
# The importer pulls whole ISO weeks from a tracker; what it no longer finds there must go.


@dataclass(frozen=True)
class ReconcileResult:
    deleted: list[Timesheet]
    conflicts: list[Timesheet]


@transaction.atomic
def timesheets_reconcile(
    *,
    created_by: str,
    prefix: str,
    first_week: IsoWeek,
    last_week: IsoWeek,
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
    kept = set(keep)
    known = {normalized_person(person) for person in persons} if persons is not None else None
    deleted: list[Timesheet] = []
    conflicts: list[Timesheet] = []
    candidates = (
        Timesheet.objects.select_for_update()
        .filter(between(first_week, last_week), created_by=created_by, external_id__startswith=prefix)
        # startswith is LIKE, which ignores case on SQLite: `TOGGL:` keys are no toggl: ones.
        .filter(Exact(Substr("external_id", 1, len(prefix)), prefix))
        .order_by("external_id")  # the upsert's lock order, so the two never deadlock
    )
    for timesheet in candidates:
        key = cast(str, timesheet.external_id)  # selected by its prefix: never NULL
        if key in kept or (known is not None and tracker_key_person(key, prefix) not in known):
            continue
        (conflicts if timesheet.approved else deleted).append(timesheet)
    if conflicts and not dry_run and is_client_actor(created_by):  # as _record_conflicts
        ImportConflict.objects.record(created_by, [(timesheet.pk, DELETION) for timesheet in conflicts])
    if deleted and not dry_run:
        TimesheetEvent.objects.bulk_create(
            [TimesheetEvent.deleted(timesheet, created_by) for timesheet in deleted]
        )
        Timesheet.objects.filter(pk__in=[timesheet.pk for timesheet in deleted]).delete()
    return ReconcileResult(deleted, conflicts)
