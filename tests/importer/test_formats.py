"""Time-tracker exports (Toggl Track, Clockify, Harvest) and --map CSVs, summed into weekly entries."""

from __future__ import annotations

import itertools
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from importer.config import ConfigurationError
from importer.formats import items_for
from importer.items import Item
from importer.layouts import parse_date, parse_duration
from importer.sources import read_rows
from timesheets.models import Timesheet

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TOGGL = str(FIXTURES / "toggl_detailed.csv")
CLOCKIFY = str(FIXTURES / "clockify_detailed.csv")
HARVEST = str(FIXTURES / "harvest_detailed.csv")
USERS = str(FIXTURES / "users.csv")
WORKLOG = str(FIXTURES / "worklog.csv")
TOGGL_HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,"
    "Duration,Tags,Amount (EUR)\n"
)


def items(*sources: str, fmt: str = "auto", **options) -> list[Item]:
    rows = itertools.chain.from_iterable(map(read_rows, sources))
    return list(items_for(rows, fmt, **options))


def entries(*sources: str, **options) -> dict[str, dict]:
    return {
        item.external_id: item.entry for item in items(*sources, **options) if item.external_id and item.entry
    }


def toggl_export(tmp_path, *rows: str) -> str:
    path = tmp_path / "toggl.csv"
    path.write_text(TOGGL_HEADER + "".join(row + "\n" for row in rows))
    return str(path)


def test_days_from_2020_12_28_to_2021_01_03_fall_in_2020_w53():
    entry = entries(TOGGL)["toggl:ana@x.example:2020-W53:Atlas"]
    assert (entry["year"], entry["week"]) == (2020, 53)


def test_several_days_of_a_week_are_summed_into_one_entry():
    # 2020-12-28 02:30, 2020-12-31 03:15 and 2021-01-03 01:00.
    found = [key for key in entries(TOGGL) if key.startswith("toggl:ana@x.example:2020-W53:")]
    assert found == ["toggl:ana@x.example:2020-W53:Atlas"]
    assert entries(TOGGL)[found[0]]["hours"] == "6.75"


def test_the_monday_after_is_2021_w01():
    assert entries(TOGGL)["toggl:ana@x.example:2021-W01:Borealis"]["week"] == 1


def test_a_weekly_entry_is_a_whole_entry_for_the_api():
    assert entries(TOGGL)["toggl:ana@x.example:2020-W53:Atlas"] == {
        "user_type": "Contractor",
        "user_id": "ana@x.example",
        "year": 2020,
        "week": 53,
        "project": "Atlas",
        "hours": "6.75",
        "external_id": "toggl:ana@x.example:2020-W53:Atlas",
    }


def test_each_person_and_project_gets_its_own_weekly_entry():
    assert sorted(entries(TOGGL)) == [
        "toggl:ana@x.example:2020-W53:Atlas",
        "toggl:ana@x.example:2021-W01:Borealis",
        "toggl:bruno@x.example:2020-W53:Atlas",
    ]


def test_hours_are_rounded_only_after_summing():
    # Three rows of 20 minutes: 1.00 hour, where rounding each row first would give 0.99.
    assert entries(TOGGL)["toggl:bruno@x.example:2020-W53:Atlas"]["hours"] == "1.00"


def test_a_weekly_entry_points_at_the_first_row_of_its_week():
    [item] = [item for item in items(TOGGL) if item.external_id == "toggl:bruno@x.example:2020-W53:Atlas"]
    assert (item.row.source, item.row.line, item.row.data) == (TOGGL, 3, item.entry)


@pytest.mark.parametrize(
    ("source", "external_id", "hours"),
    [
        (TOGGL, "toggl:ana@x.example:2020-W53:Atlas", "6.75"),
        (CLOCKIFY, "clockify:chloe@y.example:2021-W09:Website", "5.75"),
        (HARVEST, "harvest:Peter Gibbons:2021-W01:TPS Reports", "7.75"),
    ],
    ids=["toggl", "clockify", "harvest"],
)
def test_auto_recognises_each_tool_by_its_header(source, external_id, hours):
    assert entries(source)[external_id]["hours"] == hours


def test_auto_reads_each_source_by_its_own_header(tmp_path):
    native = tmp_path / "native.csv"
    native.write_text("user_type,user_id,year,week,project,hours\nEmployee,e-1,2021,1,Atlas,8\n")
    found = entries(str(native), TOGGL, HARVEST)
    assert {
        "Employee:e-1:2021-W01:Atlas",
        "toggl:ana@x.example:2020-W53:Atlas",
        "harvest:Samir Nagheenanajar:2021-W01:TPS Reports",
    } <= found.keys()


def test_an_unrecognised_header_rejects_every_row_with_a_reason(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Name,When,Spent\nAna,2021-01-04,1:00\nBruno,2021-01-05,2:00\n")
    found = items(str(path))
    assert [item.entry for item in found] == [None, None]
    assert all("match no format" in (item.errors or {})["non_field_errors"][0] for item in found)


def test_a_named_format_rejects_an_export_of_another_tool():
    found = items(TOGGL, fmt="harvest")
    assert len(found) == 7
    assert found[0].errors == {
        "non_field_errors": ["No column Date, Hours: not a Harvest detailed time export."]
    }


def test_clockify_dates_are_month_first_unless_day_first_is_asked():
    assert "clockify:chloe@y.example:2020-W53:Website" in entries(CLOCKIFY, day_first=True)


def test_harvest_people_are_their_first_and_last_name():
    entry = entries(HARVEST)["harvest:Peter Gibbons:2021-W02:Y2K Audit"]
    assert (entry["user_type"], entry["user_id"], entry["hours"]) == ("Contractor", "Peter Gibbons", "2.00")


def test_users_maps_people_by_email_or_by_name():
    found = entries(TOGGL, users=USERS)
    ana, bruno = found["toggl:ana@x.example:2020-W53:Atlas"], found["toggl:bruno@x.example:2020-W53:Atlas"]
    assert (ana["user_type"], ana["user_id"]) == ("Contractor", "c-101")
    assert (bruno["user_type"], bruno["user_id"]) == ("Employee", "e-7")


def test_a_person_missing_from_users_is_rejected_not_guessed():
    found = items(HARVEST, users=USERS)
    [rejected] = [item for item in found if item.errors]
    assert rejected.row.line == 4
    assert rejected.errors == {"person": ["Samir Nagheenanajar is not in the --users map."]}
    assert sum(1 for item in found if item.entry) == 2


def test_a_users_file_without_its_columns_is_a_configuration_error(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text("email,id\nana@x.example,c-101\n")
    with pytest.raises(ConfigurationError, match="person and user_id"):
        items_for([], "auto", users=str(path))


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (
            "Ana Lima,ana@x.example,Northwind,,,Call,Yes,2021-01-05,09:00:00,2021-01-05,10:00:00,01:00:00,,",
            "project",
        ),
        ("Ana Lima,ana@x.example,Northwind,Atlas,,Call,Yes,2021-02-30,09:00:00,,,01:00:00,,", "date"),
        ("Ana Lima,ana@x.example,Northwind,Atlas,,Call,Yes,2021-01-05,09:00:00,,,1h30,,", "duration"),
        (",,,,,,,,,,,,,", "person"),
    ],
    ids=["empty project", "impossible date", "malformed duration", "empty fields"],
)
def test_an_unusable_row_is_rejected_with_its_reason_and_the_week_goes_on(tmp_path, row, field):
    good = "Ana Lima,ana@x.example,Northwind,Atlas,,Call,Yes,2021-01-04,09:00:00,,,02:00:00,,"
    rejected, summed = items(toggl_export(tmp_path, good, row))
    assert (rejected.row.line, rejected.entry) == (3, None)
    assert rejected.errors is not None and summed.entry is not None
    assert field in rejected.errors and all(rejected.errors.values())
    assert summed.entry["hours"] == "2.00"


@pytest.mark.parametrize("text", ["02:30:00", "2:30", "2.5", "2,5", "2.50"])
def test_durations_are_read_as_clock_time_or_decimal_hours(text):
    assert parse_duration(text) == Decimal(9000)


@pytest.mark.parametrize("text", ["2020-12-28", "12/28/2020", "12-28-2020", "28.12.2020"])
def test_dates_are_read_in_the_forms_the_tools_write(text):
    assert parse_date(text).isoformat() == "2020-12-28"


def test_a_month_over_12_points_at_day_first():
    with pytest.raises(ValueError, match="--day-first"):
        parse_date("28/12/2020")


def test_map_sums_another_tools_time_entries_weekly():
    found = entries(WORKLOG, column_map="person=Worker,date=Day,duration=Time spent,project=Job")
    assert found["custom:ana@x.example:2021-W01:Atlas"]["hours"] == "4.00"
    assert found["custom:bruno@x.example:2021-W01:Atlas"]["user_id"] == "bruno@x.example"


def test_map_renames_native_fields(tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("Type,Who,Year,Wk,Job,Total,Note\nEmployee,e-1,2024,10,Atlas,12.5,ok\n")
    [item] = items(
        str(path), column_map="user_type=Type,user_id=Who,year=Year,week=Wk,project=Job,hours=Total"
    )
    assert item.entry == {
        "user_type": "Employee",
        "user_id": "e-1",
        "year": "2024",
        "week": "10",
        "project": "Atlas",
        "hours": "12.5",
        "external_id": "Employee:e-1:2024-W10:Atlas",
    }


@pytest.mark.parametrize(
    "spec",
    ["hours", "minutes=Spent", "date=Day", "date=Day,duration=Spent,hours=Total", "person=A,user_id=B"],
)
def test_a_bad_map_is_a_configuration_error(spec):
    with pytest.raises(ConfigurationError, match="--map"):
        items_for([], "auto", column_map=spec)


def test_a_bad_map_exits_2_before_anything_is_sent(run_import):
    run = run_import(WORKLOG, "--map", "date=Day")
    assert run.exit_code == 2
    assert "--map" in run.stderr
    assert not Timesheet.objects.exists()


def test_a_dry_run_counts_the_raw_rows_and_rejects_the_unusable(run_import, tmp_path):
    export = tmp_path / "toggl.csv"
    export.write_text(
        Path(TOGGL).read_text(encoding="utf-8-sig") + "Ana Lima,ana@x.example,,Atlas,,,,soon,,,,1:00,,\n"
    )
    run = run_import(str(export), "--dry-run")
    assert run.summary["read"] == 8 and run.summary["rejected"] == 1
    assert not Timesheet.objects.exists()
    [reject] = run.rejects
    assert (reject["line"], list(reject["errors"])) == (9, ["date"])


def test_more_hours_logged_later_in_the_week_update_the_entry_not_double_it(run_import, tmp_path):
    export = tmp_path / "toggl.csv"
    shutil.copy(TOGGL, export)
    first = run_import(str(export))
    assert first.exit_code == 0, first.stderr
    # Counted per row of the export: the 7 rows went into 3 weekly entries, all created.
    assert first.summary["read"] == 7 and first.summary["created"] == 7
    assert Timesheet.objects.count() == 3

    with open(export, "a", encoding="utf-8") as file:
        file.write("Ana Lima,ana@x.example,Northwind,Atlas,,Wrap-up,Yes,2021-01-01,10:00:00,,,00:30:00,,\n")
    second = run_import(str(export))
    assert second.exit_code == 0, second.stderr
    # Ana's week now sums 4 rows; the other two weeks, 4 rows between them.
    assert (second.summary["updated"], second.summary["unchanged"]) == (4, 4)
    assert Timesheet.objects.count() == 3
    assert Timesheet.objects.get(external_id="toggl:ana@x.example:2020-W53:Atlas").hours == Decimal("7.25")
