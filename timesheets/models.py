from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserType(models.TextChoices):
    EMPLOYEE = "Employee"
    CONTRACTOR = "Contractor"


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
        # "Reading a million entries" in the README). `id` is spelled out: PostgreSQL,
        # unlike SQLite, does not append it.
        indexes = [
            models.Index(fields=["user_id", "id"], name="timesheet_user_id"),
            models.Index(fields=["project", "id"], name="timesheet_project"),
            models.Index(fields=["year", "week", "id"], name="timesheet_year_week"),
            models.Index(fields=["week", "id"], name="timesheet_week"),
            models.Index(fields=["hours", "id"], name="timesheet_hours"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_type} {self.user_id}, {self.year}-W{self.week:02d}, {self.project}: {self.hours} h"
        )

    @property
    def content(self) -> tuple:
        """What an import compares to tell an edited row from one sent again."""
        return (self.user_type, self.user_id, self.year, self.week, self.project, self.hours)


class TimesheetEvent(models.Model):
    """Who changed, approved or deleted which entry, and when; who created it is on the entry.

    It names the entry by id rather than by foreign key, so that the record of a deletion
    (which keeps the entry's creator and creation time) outlives the entry it records.
    """

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        APPROVED = "approved"
        DELETED = "deleted"

    timesheet_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.CharField(max_length=255)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    entry = models.JSONField(help_text="The entry's fields after the action; before it, for a deletion.")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} timesheet {self.timesheet_id} at {self.at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def of(cls, action: str, timesheet: Timesheet, actor: str) -> TimesheetEvent:
        entry = {
            name: getattr(timesheet, name) for name in ("user_type", "user_id", "year", "week", "project")
        }
        entry |= {"hours": str(timesheet.hours), "external_id": timesheet.external_id}
        entry |= {"created_by": timesheet.created_by, "created_at": timesheet.created_at.isoformat()}
        return cls(timesheet_id=timesheet.pk, action=action, actor=actor, entry=entry)
