"""Payroll's decisions on an import's conflicts: the tracker wins (accept), or the approval stands
(dismiss). See "Conflicts from imports" in docs/payroll.md.

An approved entry is a record of payment, so an import never overwrites one; it records what
it would have written instead (`ImportConflict.objects.record`, called by the services).
Accepting goes through the same services as the API and the admin, so the entry's history
names the clerk for the withdrawn approval and for the change or deletion.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import services
from .models import CONTENT_FIELDS, ConflictState, ImportConflict


class ConflictClosed(Exception):
    """The conflict was decided already (by another clerk, say), or its entry is gone."""


@transaction.atomic
def conflict_accept(*, conflict_id: int, accepted_by: str) -> ImportConflict:
    """The tracker wins: the approval is withdrawn and the tracker's content written, or the entry
    deleted. The entry's other open conflicts go: it is pending again, so the next import
    writes the tracker's latest content itself.
    """
    conflict = _open(conflict_id)
    timesheet_id = conflict.timesheet_id
    if timesheet_id is None:
        raise ConflictClosed(conflict_id)
    _close(conflict, ImportConflict.State.ACCEPTED, accepted_by)
    ImportConflict.objects.filter(timesheet_id=timesheet_id, state=ImportConflict.State.OPEN).delete()
    services.timesheet_unapprove(timesheet_id=timesheet_id, unapproved_by=accepted_by)
    if conflict.is_deletion:
        services.timesheet_delete(timesheet_id=timesheet_id, deleted_by=accepted_by)
    else:
        changes = {name: conflict.proposed[name] for name in CONTENT_FIELDS}
        changes["hours"] = Decimal(changes["hours"])
        services.timesheet_change(timesheet_id=timesheet_id, changes=changes, changed_by=accepted_by)
    return conflict


@transaction.atomic
def conflict_dismiss(*, conflict_id: int, dismissed_by: str) -> ImportConflict:
    """The approved value stands. The same proposal, sent again, stays dismissed; another one is
    a new conflict."""
    conflict = _open(conflict_id)
    _close(conflict, ImportConflict.State.DISMISSED, dismissed_by)
    return conflict


def _open(conflict_id: int) -> ImportConflict:
    conflict = ImportConflict.objects.select_for_update().get(pk=conflict_id)
    if conflict.state != ImportConflict.State.OPEN:
        raise ConflictClosed(conflict_id)
    return conflict


def _close(conflict: ImportConflict, state: ConflictState, actor: str) -> None:
    conflict.state, conflict.decided_by, conflict.decided_at = state, actor, timezone.now()
    # Only these: the entry may be deleted next, and its foreign key is the database's to clear.
    conflict.save(update_fields=["state", "decided_by", "decided_at"])
