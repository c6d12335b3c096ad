from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .fastinsert import FastInsertQuerySet, max_params
from .indexes import PrefixSearchIndex

# What an entry says. An import compares these to tell an edited row from one sent again,
# and they are all an update may change.
CONTENT_FIELDS = ("user_type", "user_id", "year", "week", "project", "hours")
# What an entry's history records of it: its content and its key in the system it came from.
RECORDED_FIELDS = (*CONTENT_FIELDS, "external_id")


class UserType(models.TextChoices):
    EMPLOYEE = "Employee"
    CONTRACTOR = "Contractor"


class TimesheetEventQuerySet(FastInsertQuerySet):
    def prepare_changes(self, changes: Sequence[dict[str, Any]]) -> list[Any]:
        """Events' `changes` as the database takes them (JSON text on SQLite), before any lock."""
        return [row[0] for row in self.prepare(["changes"], [(change,) for change in changes])]

    def record_creations(
        self,
        timesheet_ids: Sequence[int],
        changes: Sequence[Any],
        actor: str,
        at: Sequence[datetime.datetime],
    ) -> None:
        """One "created" event per new entry, each at its entry's creation time, in one statement.

        `changes` come from `prepare_changes`, and the ids as the database gave them: only
        the few distinct times are prepared here, inside the transaction.
        """
        action, by = (
            self.prepare_value(name, value)
            for name, value in (("action", TimesheetEvent.Action.CREATED), ("actor", actor))
        )
        times = [row[0] for row in self.prepare(["at"], [(time,) for time in at])]
        self.insert_prepared(
            ["timesheet_id", "action", "actor", "at", "changes"],
            [
                (pk, action, by, time, change)
                for pk, time, change in zip(timesheet_ids, times, changes, strict=True)
            ],
        )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for each field whose value differs (a missing value is None)."""
    changed = {name: [value, after.get(name)] for name, value in before.items() if value != after.get(name)}
    changed.update(
        {name: [None, value] for name, value in after.items() if name not in before and value is not None}
    )
    return changed


class TimesheetQuerySet(FastInsertQuerySet):
    """Inserts of new keyed entries: rows prepared before the transaction, ids read back by RETURNING."""

    def prepare_new(self, created_by: str, entries: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Each entry's row for `insert_new`: every column but the id and the time stamps, prepared."""
        fields = _new_entry_fields(self.model)
        defaults = {field.name: field.get_default() for field in fields} | {"created_by": created_by}
        names = [field.name for field in fields]
        return self.prepare(names, [[entry.get(name, defaults[name]) for name in names] for entry in entries])

    def insert_new(self, rows: Sequence[tuple[Any, ...]], now: datetime.datetime) -> list[int]:
        """Inserts rows from `prepare_new`, each with an `external_id`, created at `now`; their ids in order.

        Where the database can (SQLite 3.35 and later, PostgreSQL), the ids come back from the
        INSERT itself (`RETURNING`, read by key, so no row order is assumed); elsewhere one
        query reads them by key (created_by, external_id).
        """
        if not rows:
            return []
        fields = _new_entry_fields(self.model)
        names = [field.name for field in fields]
        creator, key = names.index("created_by"), names.index("external_id")
        if not all(row[key] for row in rows):
            raise ValueError("insert_new takes only entries with an external_id.")
        stamps = [field.name for field in _stamp_fields(self.model)]
        stamp = [self.prepare_value(name, now) for name in stamps]
        # Rows inserted in key order, as their locks are taken: two batches with the same
        # keys in another order would otherwise deadlock on PostgreSQL.
        ordered = sorted(rows, key=lambda row: (row[creator], row[key]))
        stamped = [(*row, *stamp) for row in ordered]
        returned: Iterable[tuple[Any, ...]]
        if self._write_connection().features.can_return_rows_from_bulk_insert:
            returned = self.insert_prepared(
                [*names, *stamps], stamped, returning=["created_by", "external_id", "id"]
            )
        else:
            self.insert_prepared([*names, *stamps], stamped)
            returned = (
                self.model._base_manager.using(self.db)
                .filter(
                    created_by__in={row[creator] for row in rows},
                    external_id__in=[row[key] for row in rows],
                )
                .order_by()
                .values_list("created_by", "external_id", "pk")
            )
        ids = {(created_by, external_id): pk for created_by, external_id, pk in returned}
        return [ids[(row[creator], row[key])] for row in rows]

    def insert_keyed(self, timesheets: Sequence[Timesheet]) -> None:
        """Inserts entries that each carry an `external_id`, and gives each its id and time stamps."""
        if not timesheets:
            return
        if not all(timesheet.external_id for timesheet in timesheets):
            raise ValueError("insert_keyed takes only entries with an external_id.")
        fields = _new_entry_fields(self.model)
        rows = self.prepare(
            [field.name for field in fields],
            [[getattr(timesheet, field.attname) for field in fields] for timesheet in timesheets],
        )
        now = timezone.now()
        for timesheet, pk in zip(timesheets, self.insert_new(rows, now), strict=True):
            timesheet.pk = pk
            for field in _stamp_fields(self.model):
                setattr(timesheet, field.attname, now)
            timesheet._state.adding = False
            timesheet._state.db = self.db


def _stamp_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields Django stamps with the time of the write (`auto_now`, `auto_now_add`)."""
    return [
        field
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


def _new_entry_fields(model: type[models.Model]) -> list[models.Field]:
    stamps = _stamp_fields(model)
    return [field for field in model._meta.concrete_fields if not field.primary_key and field not in stamps]


class Timesheet(models.Model):
    """One person's hours on one project in one ISO 8601 week."""

    user_type = models.CharField(max_length=10, choices=UserType.choices)
    user_id = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    week = models.PositiveSmallIntegerField()
    project = models.CharField(max_length=100)
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    # The entry's key in the system it came from; unique per calling client, so that an
    # import run twice updates instead of doubling.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 (NULL: no key)
    created_by = models.CharField(max_length=255, help_text="The token's client, or the staff user.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=255, blank=True, default="")
    # Payroll sent the entry back for a correction: why, by whom and when. The person's next
    # edit of the entry clears all three (services.clear_sent_back).
    sent_back_comment = models.TextField(blank=True, default="", help_text="Why payroll sent it back.")
    sent_back_by = models.CharField(max_length=255, blank=True, default="")
    sent_back_at = models.DateTimeField(null=True, blank=True)

    objects = TimesheetQuerySet.as_manager()

    class Meta:
        # Newest first. An order by id lets every index be (field, id): a new entry lands at
        # the end of its key's run, so an insert touches the same few index pages at any
        # table size, and a dense filter reads the table backwards and stops after a page.
        ordering = ["-id"]
        permissions = [("approve_timesheet", "Can approve timesheet")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=168), name="timesheet_hours_in_range"),
            models.CheckConstraint(condition=Q(week__gte=1, week__lte=53), name="timesheet_week_in_range"),
            models.CheckConstraint(
                condition=Q(user_type__in=UserType.values), name="timesheet_user_type_valid"
            ),
            models.UniqueConstraint(
                fields=["created_by", "external_id"],
                condition=Q(external_id__isnull=False),
                name="timesheet_unique_external_id_per_client",
            ),
        ]
        # One index per selective filter and per sort field, each ending in id so that it
        # also serves the default order and the tie-break (see timesheets/filters.py and
        # "Reading a million entries" in docs/performance.md). `id` is spelled out: PostgreSQL,
        # unlike SQLite, does not append it.
        indexes = [
            models.Index(fields=["user_id", "id"], name="timesheet_user_id"),
            models.Index(fields=["project", "id"], name="timesheet_project"),
            models.Index(fields=["year", "week", "id"], name="timesheet_year_week"),
            models.Index(fields=["week", "id"], name="timesheet_week"),
            models.Index(fields=["hours", "id"], name="timesheet_hours"),
            # The admin's search: a prefix of any of these, in any case (see admin.py).
            PrefixSearchIndex(field="user_id", name="timesheet_user_id_search"),
            PrefixSearchIndex(field="project", name="timesheet_project_search"),
            PrefixSearchIndex(field="external_id", name="timesheet_external_id_search"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_type} {self.user_id}, {self.year}-W{self.week:02d}, {self.project}: {self.hours} h"
        )

    @property
    def content(self) -> tuple:
        return tuple(getattr(self, name) for name in CONTENT_FIELDS)

    def recorded(self) -> dict[str, Any]:
        """The entry as its history records it, in JSON's own types, to compare with a later state.

        Hours are kept as a string with the column's two decimals, so that 40 and 40.00 are
        the same value and no float rounding creeps into the record. JSON's own types let
        the events be serialised by the standard library's fast path, not a Python encoder.
        """
        return recorded_state({name: getattr(self, name) for name in RECORDED_FIELDS})


def recorded_state(values: dict[str, Any]) -> dict[str, Any]:
    """`Timesheet.recorded()` of an entry given as its field values (an absent field is None)."""
    state = {name: values.get(name) for name in RECORDED_FIELDS}
    state["hours"] = f"{state['hours']:.{_HOURS_PLACES}f}"
    return state


_HOURS_PLACES = Timesheet._meta.get_field("hours").decimal_places


class TimesheetEvent(models.Model):
    """One change to an entry: its creation, an update, its approval or its deletion.

    `changes` holds `{field: [before, after]}` for each field the action changed (before
    is null for a creation, after is null for a deletion). The event names the entry by id
    rather than by foreign key, so that the record of a deletion outlives the entry.
    """

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        APPROVED = "approved"
        UNAPPROVED = "unapproved", "Approval withdrawn"
        SENT_BACK = "sent_back", "Sent back"
        DELETED = "deleted"

    timesheet_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.CharField(max_length=255, help_text="The token's client, or the staff user.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]} for each changed field.")

    objects = TimesheetEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} timesheet {self.timesheet_id} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def created(cls, timesheet: Timesheet, actor: str, at: datetime.datetime | None = None) -> TimesheetEvent:
        return cls._of(cls.Action.CREATED, timesheet, actor, {}, timesheet.recorded(), at)

    @classmethod
    def updated(cls, before: dict[str, Any], timesheet: Timesheet, actor: str) -> TimesheetEvent:
        """`before` is `timesheet.recorded()` taken before the change."""
        return cls._of(cls.Action.UPDATED, timesheet, actor, before, timesheet.recorded())

    @classmethod
    def approved(cls, timesheet: Timesheet, actor: str) -> TimesheetEvent:
        return cls._of(cls.Action.APPROVED, timesheet, actor, {"approved": False}, {"approved": True})

    @classmethod
    def unapproved(cls, timesheet: Timesheet, actor: str) -> TimesheetEvent:
        """An approval lifted. (Before migration 0006 this was recorded as an update of `approved`.)"""
        return cls._of(cls.Action.UNAPPROVED, timesheet, actor, {"approved": True}, {"approved": False})

    @classmethod
    def sent_back(cls, timesheet: Timesheet, actor: str, before: str) -> TimesheetEvent:
        """`before` is the comment the entry carried, if it was sent back already."""
        return cls._of(
            cls.Action.SENT_BACK,
            timesheet,
            actor,
            {"sent_back_comment": before or None},
            {"sent_back_comment": timesheet.sent_back_comment},
        )

    @classmethod
    def deleted(cls, timesheet: Timesheet, actor: str) -> TimesheetEvent:
        # Who created the entry, and when, outlive it here even where no creation was recorded.
        before = timesheet.recorded() | {
            "created_by": timesheet.created_by,
            "created_at": timesheet.created_at.isoformat(),
        }
        return cls._of(cls.Action.DELETED, timesheet, actor, before, {})

    @classmethod
    def _of(
        cls,
        action: str,
        timesheet: Timesheet,
        actor: str,
        before: dict[str, Any],
        after: dict[str, Any],
        at: datetime.datetime | None = None,
    ) -> TimesheetEvent:
        return cls(
            timesheet_id=timesheet.pk,
            action=action,
            actor=actor,
            at=at or timezone.now(),
            changes=diff(before, after),
        )


class ConflictState(models.TextChoices):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


# What a reconcile proposes for an approved entry its tracker no longer has.
DELETION = {"deleted": True}

# A proposal still standing (open, or dismissed so that it is not raised again): one row
# each per entry and content.
STANDING = (ConflictState.OPEN, ConflictState.DISMISSED)


class ImportConflictQuerySet(FastInsertQuerySet):
    def record(self, created_by: str, proposals: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Records what an import proposed for approved entries, in one statement.

        A proposal already recorded for the entry, open or dismissed, only moves its
        `last_seen`: the same import every few minutes adds no row, and a dismissed proposal
        is not raised again. `INSERT … ON CONFLICT` names the partial unique index by its
        predicate (SQLite and PostgreSQL both need it to pick a partial index), which
        `bulk_create(update_conflicts=True)` cannot say.
        """
        # One row per (entry, proposal): PostgreSQL refuses to update one row twice in a statement.
        unique = {(pk, json.dumps(proposed, sort_keys=True)): proposed for pk, proposed in proposals}
        if not unique:
            return
        connection = self._write_connection()
        quote = connection.ops.quote_name
        meta = self.model._meta
        names = ["timesheet_id", "created_by", "proposed", "state", "first_seen", "last_seen", "decided_by"]
        row_sql = f"({', '.join(['%s'] * len(names))})"
        at = self.prepare_value("last_seen", timezone.now())
        rows = [
            [pk, created_by, self.prepare_value("proposed", proposed), ConflictState.OPEN.value, at, at, ""]
            for (pk, _), proposed in unique.items()
        ]
        timesheet, proposed_column, state, last_seen = (
            quote(name) for name in ("timesheet_id", "proposed", "state", "last_seen")
        )
        # The index's own predicate, word for word, as literals: a parameter would leave the
        # database unable to tell that it matches.
        standing = ", ".join(f"'{standing_state.value}'" for standing_state in STANDING)
        # A batch (1,000 entries at most) goes in one statement; a reconcile's many, in chunks.
        size = max(1, max_params(connection) // len(names))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(name) for name in names)})"  # noqa: S608 (from _meta)
                    f" VALUES {', '.join([row_sql] * len(chunk))}"
                    f" ON CONFLICT ({timesheet}, {proposed_column}) WHERE {state} IN ({standing})"
                    f" DO UPDATE SET {last_seen} = EXCLUDED.{last_seen}",
                    [value for row in chunk for value in row],
                )


class ImportConflict(models.Model):
    """An import's other content for an approved entry (or its deletion), which it did not write.

    The approved value stands until payroll decides: accept (the tracker wins) or dismiss
    (the approved value stays). `proposed` holds the entry's recorded fields as the import
    sent them, in the JSON of `Timesheet.recorded()`, or `{"deleted": true}` for a reconcile
    that would have deleted the entry.
    """

    State = ConflictState

    # Kept when the entry goes (an accepted deletion, say): the decision outlives it, as the
    # entry's history does.
    timesheet = models.ForeignKey(Timesheet, null=True, on_delete=models.SET_NULL, related_name="conflicts")
    created_by = models.CharField(max_length=255, help_text="The import's client.")
    proposed = models.JSONField(help_text='The tracker\'s content, or {"deleted": true}.')
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    decided_by = models.CharField(max_length=255, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ImportConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["timesheet", "proposed"],
                condition=Q(state__in=[state.value for state in STANDING]),
                name="import_conflict_one_per_proposal",
            )
        ]
        indexes = [models.Index(fields=["state", "last_seen"], name="import_conflict_state")]

    def __str__(self) -> str:
        return f"Import conflict on timesheet {self.timesheet_id} ({self.state})"

    @property
    def is_deletion(self) -> bool:
        return self.proposed == DELETION
