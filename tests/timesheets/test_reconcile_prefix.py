"""The reconcile's key prefix matches case-sensitively on SQLite as on PostgreSQL."""

from __future__ import annotations

from typing import cast

from common.weeks import IsoWeek
from tests.factories import TimesheetFactory
from timesheets import services
from timesheets.models import Timesheet

CLIENT = "import-north"


def keyed(key: str) -> Timesheet:
    return TimesheetFactory.create(year=2024, week=10, external_id=key, created_by=CLIENT)


def reconcile(prefix: str) -> list[str]:
    result = services.timesheets_reconcile(
        created_by=CLIENT,
        prefix=prefix,
        first_week=IsoWeek(2024, 10),
        last_week=IsoWeek(2024, 10),
        keep=[],
        dry_run=True,
    )
    return sorted(cast(str, timesheet.external_id) for timesheet in result.deleted)  # keyed by prefix


def test_an_upper_case_key_is_not_under_a_lower_case_prefix(db):
    keyed("toggl:ann:2024-W10:Atlas")
    keyed("TOGGL:ann:2024-W10:Atlas")
    keyed("Toggl:ann:2024-W10:Atlas")
    assert reconcile("toggl:") == ["toggl:ann:2024-W10:Atlas"]


def test_like_wildcards_in_a_prefix_match_only_themselves(db):
    keyed("to_gl:ann:2024-W10:Atlas")
    keyed("toxgl:ann:2024-W10:Atlas")
    assert reconcile("to_gl:") == ["to_gl:ann:2024-W10:Atlas"]
