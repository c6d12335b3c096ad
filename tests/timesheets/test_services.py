"""The write services in-process, without a live server: upserts, approval, deletion, history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from timesheets import fastinsert, services
from timesheets.models import Timesheet, TimesheetEvent
from timesheets.services import Outcome

from ..factories import TimesheetFactory
from ..samples import validated_entry

CLIENT = "import-client"


entry = validated_entry


def upsert(*entries: dict[str, Any], created_by: str = CLIENT) -> list[services.UpsertResult]:
    return services.timesheets_upsert(created_by=created_by, entries=list(entries))


def history(timesheet_id: int) -> list[tuple[str, str, dict]]:
    events = TimesheetEvent.objects.filter(timesheet_id=timesheet_id).order_by("id")
    return [(event.action, event.actor, event.changes) for event in events]


def test_a_new_key_is_created_and_its_creation_recorded(db):
    [result] = upsert(entry())
    assert result.outcome is Outcome.CREATED
    assert Timesheet.objects.get().pk == result.timesheet.pk
    assert history(result.timesheet.pk) == [
        (
            "created",
            CLIENT,
            {
                "user_type": [None, "Employee"],
                "user_id": [None, "007"],
                "year": [None, 2016],
                "week": [None, 24],
                "project": [None, "StoreZero"],
                "hours": [None, "40.00"],
                "external_id": [None, "k-1"],
            },
        )
    ]


def test_an_entry_without_key_is_created_each_time_with_its_creation_recorded(db):
    first, second = upsert(entry(external_id=None), entry(external_id=None))
    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.CREATED)
    assert Timesheet.objects.count() == 2
    assert [action for action, _, _ in history(second.timesheet.pk)] == ["created"]


def test_the_same_content_again_is_unchanged_and_writes_nothing(db):
    [created] = upsert(entry())
    [again] = upsert(entry())
    assert again.outcome is Outcome.UNCHANGED and again.timesheet.pk == created.timesheet.pk
    assert Timesheet.objects.get().updated_at == created.timesheet.updated_at
    assert len(history(created.timesheet.pk)) == 1


def test_other_content_updates_and_records_before_and_after(db):
    [created] = upsert(entry())
    [updated] = upsert(entry(hours=Decimal("41.50"), project="StoreOne"))
    assert updated.outcome is Outcome.UPDATED and updated.timesheet.pk == created.timesheet.pk
    assert Timesheet.objects.get().hours == Decimal("41.50")
    assert history(created.timesheet.pk)[-1] == (
        "updated",
        CLIENT,
        {"project": ["StoreZero", "StoreOne"], "hours": ["40.00", "41.50"]},
    )


def test_other_content_after_approval_is_a_conflict_and_writes_nothing(db):
    [created] = upsert(entry())
    services.timesheet_approve(timesheet_id=created.timesheet.pk, approved_by="manager")
    [conflict] = upsert(entry(hours=Decimal("1")))
    assert conflict.outcome is Outcome.CONFLICT
    assert Timesheet.objects.get().hours == Decimal("40.00")
    assert [action for action, _, _ in history(created.timesheet.pk)] == ["created", "approved"]


def test_the_same_key_twice_in_one_batch_makes_one_entry_with_the_last_content(db):
    first, second = upsert(entry(hours=Decimal("8")), entry(hours=Decimal("9")))
    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.UPDATED)
    assert first.timesheet.pk == second.timesheet.pk == Timesheet.objects.get().pk
    assert Timesheet.objects.get().hours == Decimal("9")
    [(action, _, changes)] = history(first.timesheet.pk)
    assert action == "created" and changes["hours"] == [None, "9.00"]


def test_keys_belong_to_their_client(db):
    [mine] = upsert(entry(), created_by="a")
    [theirs] = upsert(entry(), created_by="b")
    assert theirs.outcome is Outcome.CREATED and theirs.timesheet.pk != mine.timesheet.pk


def test_approving_twice_keeps_the_first_approver_and_records_once(db):
    [created] = upsert(entry())
    first = services.timesheet_approve(timesheet_id=created.timesheet.pk, approved_by="manager")
    again = services.timesheet_approve(timesheet_id=created.timesheet.pk, approved_by="someone-else")
    assert (again.approved_by, again.approved_at) == ("manager", first.approved_at)
    assert history(created.timesheet.pk)[1:] == [("approved", "manager", {"approved": [False, True]})]


def test_lifting_an_approval_records_who_lifted_it(db):
    [created] = upsert(entry())
    services.timesheet_approve(timesheet_id=created.timesheet.pk, approved_by="manager")
    services.timesheet_unapprove(timesheet_id=created.timesheet.pk, unapproved_by="auditor")
    services.timesheet_unapprove(timesheet_id=created.timesheet.pk, unapproved_by="auditor")  # again: none
    assert history(created.timesheet.pk)[1:] == [
        ("approved", "manager", {"approved": [False, True]}),
        ("unapproved", "auditor", {"approved": [True, False]}),
    ]


def test_deleting_an_approved_entry_is_refused_and_keeps_it(db):
    [created] = upsert(entry())
    services.timesheet_approve(timesheet_id=created.timesheet.pk, approved_by="manager")
    with pytest.raises(services.TimesheetApproved):
        services.timesheet_delete(timesheet_id=created.timesheet.pk, deleted_by="cleaner")
    assert Timesheet.objects.filter(pk=created.timesheet.pk).exists()
    assert "deleted" not in [action for action, _, _ in history(created.timesheet.pk)]


def test_deleting_records_the_entry_as_it_was(db):
    [created] = upsert(entry())
    services.timesheet_delete(timesheet_id=created.timesheet.pk, deleted_by="cleaner")
    assert not Timesheet.objects.exists()
    action, actor, changes = history(created.timesheet.pk)[-1]
    assert (action, actor) == ("deleted", "cleaner")
    assert changes["user_id"] == ["007", None] and changes["created_by"] == [CLIENT, None]


def test_an_admin_save_that_changes_nothing_records_nothing(db):
    [created] = upsert(entry())
    timesheet = Timesheet.objects.get()
    services.timesheet_save(timesheet=timesheet, actor="user:admin")
    timesheet.hours = Decimal("7")
    services.timesheet_save(timesheet=timesheet, actor="user:admin")
    assert history(created.timesheet.pk)[1:] == [("updated", "user:admin", {"hours": ["40.00", "7.00"]})]


# --- The fast insert writes what the ORM would ------------------------------------------


@pytest.fixture
def frozen_now(monkeypatch) -> datetime.datetime:
    """One clock for both ways of writing, so that their timestamps can be compared too."""
    now = datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def raw_rows(model: type[Model], order_by: str) -> list[tuple]:
    """Every column but the id, as the database stores it (no conversion by Django)."""
    columns = [
        field.column for field in model._meta.concrete_fields if field.column and not field.primary_key
    ]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)} "  # noqa: S608
            f"ORDER BY {quote(order_by)}"
        )
        return cursor.fetchall()


def varied_timesheets() -> list[Timesheet]:
    return [
        Timesheet(
            user_type=("Employee", "Contractor")[n % 2],
            user_id=f"u-{n % 3}",
            year=2020 + n % 4,
            week=n % 53 + 1,
            project=f"Projekt ✓ {n % 5}",
            hours=(Decimal("7.5"), Decimal("0.01"), Decimal("168.00"), Decimal("12"))[n % 4],
            external_id=f"key-{n:03d}",
            created_by=("client-a", "client-b")[n % 2],
        )
        for n in range(40)
    ]


def test_insert_keyed_writes_exactly_the_rows_bulk_create_writes(db, frozen_now):
    Timesheet.objects.bulk_create(varied_timesheets())
    by_orm = raw_rows(Timesheet, "external_id")
    Timesheet.objects.all().delete()

    fast = varied_timesheets()
    Timesheet.objects.insert_keyed(fast)
    assert raw_rows(Timesheet, "external_id") == by_orm
    stored = dict(Timesheet.objects.values_list("external_id", "pk"))
    assert {timesheet.external_id: timesheet.pk for timesheet in fast} == stored


def test_insert_keyed_refuses_a_value_longer_than_its_column(db, frozen_now):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite does not enforce a column's length")
    too_long = varied_timesheets()[0]
    too_long.created_by = "c" * 256  # a client id as an outside issuer may send it: unchecked
    with pytest.raises(DataError), transaction.atomic():
        Timesheet.objects.insert_keyed([too_long])


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "read-back"])
def test_insert_keyed_gives_each_entry_its_own_id_over_several_statements(
    db, frozen_now, monkeypatch, returning
):
    # A few rows per statement, so the ids of several INSERT … RETURNING come back mixed;
    # without RETURNING (an older SQLite), one query reads them back by key.
    monkeypatch.setattr(fastinsert, "max_params", lambda connection: 40)
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", returning)
    fast = varied_timesheets()[::-1]
    with CaptureQueriesContext(connection) as queries:
        Timesheet.objects.insert_keyed(fast)
    inserts = [query for query in queries.captured_queries if "INSERT INTO" in query["sql"]]
    columns = len(Timesheet._meta.concrete_fields) - 1
    if connection.vendor == "postgresql":
        # One statement, an array per column, whatever the size; without RETURNING, a COPY,
        # which Django does not log.
        assert [("unnest(" in query["sql"]) for query in inserts] == ([True] if returning else [])
    else:
        assert len(inserts) == (-(-len(fast) // (40 // columns)) if returning else 1)
    stored = dict(Timesheet.objects.values_list("external_id", "pk"))
    assert {timesheet.external_id: timesheet.pk for timesheet in fast} == stored
    assert len(set(stored.values())) == len(fast)


def test_a_database_error_in_the_events_copy_comes_as_djangos_own(db, frozen_now):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL inserts the events by COPY")
    changes = TimesheetEvent.objects.prepare_changes([{}])
    with pytest.raises(DataError), transaction.atomic():
        TimesheetEvent.objects.insert_prepared(
            ["timesheet_id", "action", "actor", "at", "changes"],
            [("not a number", "created", "client", frozen_now, changes[0])],
        )


def test_insert_rows_writes_exactly_the_events_bulk_create_writes(db, frozen_now):
    def events() -> list[TimesheetEvent]:
        return [
            TimesheetEvent(
                timesheet_id=n,
                action="created",
                actor=f"client-{n % 2}",
                at=frozen_now,
                changes={"hours": [None, "7.50"], "project": [None, f"P ✓ {n}"], "week": [n, None]},
            )
            for n in range(10)
        ]

    TimesheetEvent.objects.bulk_create(events())
    by_orm = raw_rows(TimesheetEvent, "timesheet_id")
    TimesheetEvent.objects.all().delete()
    TimesheetEvent.objects.insert_rows(events())
    assert raw_rows(TimesheetEvent, "timesheet_id") == by_orm


def test_insert_keyed_refuses_an_entry_without_key(db):
    with pytest.raises(ValueError, match="external_id"):
        Timesheet.objects.insert_keyed([TimesheetFactory.build(external_id=None, created_by=CLIENT)])


def test_a_lifted_approval_is_recorded_as_approved_true_to_false(db):
    [created] = upsert(entry())
    event = TimesheetEvent.unapproved(created.timesheet, "manager")
    assert (event.action, event.changes) == (
        "unapproved",
        {"approved": [True, False]},
    )  # its own action since 0006
