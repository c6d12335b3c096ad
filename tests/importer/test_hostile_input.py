"""Hostile files: bounded memory, no traceback, a reason for each refused row, the others imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from importer.items import Item
from importer.pipeline import batches
from importer.report import Report
from importer.sources import SourceRow
from tests.support import SAMPLE_ENTRY, ImportRun
from timesheets.models import Timesheet

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEADER = "user_type,user_id,year,week,project,hours"
BIG = 50 * 1024 * 1024
PEAK_MB = 150


def entry(n: int, **overrides) -> dict:
    return {**SAMPLE_ENTRY, "user_id": f"u-{n}", **overrides}


def csv_row(n: int) -> str:
    return f"Employee,u-{n},2024,10,Atlas,8"


def accounted(run: ImportRun) -> bool:
    """Every row read is in exactly one counter."""
    summary = run.summary
    return summary["read"] == sum(count for name, count in summary.items() if name != "read")


@pytest.fixture(scope="session")
def single_line_files(tmp_path_factory) -> dict[str, Path]:
    """A CSV and a JSONL file with one 50 MB line between two valid rows, written once."""
    folder = tmp_path_factory.mktemp("big")
    csv_path, jsonl_path = folder / "big.csv", folder / "big.jsonl"
    with open(csv_path, "w") as file:
        file.write(f"{HEADER}\n{csv_row(1)}\nEmployee,u-2,2024,10,")
        file.write("x" * BIG)
        file.write(f",8\n{csv_row(3)}\n")
    with open(jsonl_path, "w") as file:
        file.write(json.dumps(entry(1)) + "\n")
        file.write('{"user_type": "Employee", "user_id": "u-2", "project": "')
        file.write("x" * BIG)
        file.write('"}\n' + json.dumps(entry(3)) + "\n")
    return {"csv": csv_path, "jsonl": jsonl_path}


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_50_mb_line_is_one_rejected_row_in_bounded_memory(run_import_process, single_line_files, kind):
    run = run_import_process(str(single_line_files[kind]))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=3, created=2, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    assert run.peak_rss_mb < PEAK_MB
    [reject] = run.rejects
    assert reject["line"] == (3 if kind == "csv" else 2)
    assert "bytes long; at most 65,536 are read" in reject["errors"]["non_field_errors"][0]
    assert set(Timesheet.objects.values_list("user_id", flat=True)) == {"u-1", "u-3"}


def test_a_json_file_of_200_kb_of_nested_brackets_is_one_rejected_item(run_import_process, tmp_path):
    path = tmp_path / "nested.json"
    nested = "[" * 100_000 + "]" * 100_000
    path.write_text(f"[{json.dumps(entry(1))},{nested},{json.dumps(entry(3))}]")
    run = run_import_process(str(path))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=3, created=2, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    assert run.peak_rss_mb < PEAK_MB
    [reject] = run.rejects
    assert (reject["line"], reject["errors"]) == (
        2,
        {"non_field_errors": ["The item is nested deeper than 32 levels."]},
    )


def test_an_unclosed_nesting_ends_the_json_source_and_keeps_the_rows_before(run_import, tmp_path):
    path = tmp_path / "nested.json"
    path.write_text(f"[{json.dumps(entry(1))}," + "[" * 200_000)
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert (run.summary["read"], run.summary["created"], run.summary["rejected"]) == (2, 1, 1)
    assert "cannot be read past this point" in run.rejects[0]["errors"]["non_field_errors"][0]


def test_a_jsonl_line_of_100000_brackets_is_rejected_alone(run_import, tmp_path):
    path = tmp_path / "nested.jsonl"
    path.write_text(f"{json.dumps(entry(1))}\n{'[' * 100_000}\n{json.dumps(entry(3))}\n")
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=3, created=2, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    assert run.rejects[0]["line"] == 2


def test_jsonl_numbers_that_json_cannot_carry_are_rejected_alone(run_import, tmp_path):
    path = tmp_path / "numbers.jsonl"
    lines = [
        json.dumps(entry(1)),
        json.dumps(entry(2))[:-1] + ', "week": 1e999}',  # infinity
        json.dumps(entry(3))[:-1] + ', "year": ' + "9" * 5000 + "}",  # beyond int's digits
        json.dumps(entry(4)),
    ]
    path.write_text("\n".join(lines) + "\n")
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert (run.summary["created"], run.summary["rejected"]) == (2, 2)
    assert accounted(run)


def test_a_harvest_duration_of_29_nines_is_rejected_alone(run_import, tmp_path):
    path = tmp_path / "harvest.csv"
    export = (FIXTURES / "harvest_detailed.csv").read_text()
    bad = "2021-01-06,Initech,TPS Reports,IT-01,Development,,{},,Yes,No,No,Peter,Gibbons,Developer,No,,,,,,\n"
    path.write_text(export + bad.format("9" * 29))
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=5, created=4, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    assert (run.rejects[0]["line"], list(run.rejects[0]["errors"])) == (6, ["duration"])


def test_a_3_mb_project_in_2000_rows_is_rejected_and_every_other_row_imports(run_import, tmp_path):
    path = tmp_path / "rows.jsonl"
    with open(path, "w") as file:
        for n in range(2000):
            row = entry(n, project="x" * 3_000_000) if n == 700 else entry(n)
            file.write(json.dumps(row) + "\n")
    first = run_import(str(path))
    assert first.exit_code == 1, first.stderr
    assert (first.summary["created"], first.summary["rejected"], first.summary["failed"]) == (1999, 1, 0)
    [reject] = first.rejects
    assert reject["line"] == 701
    again = run_import(str(path))
    assert (again.summary["unchanged"], again.summary["rejected"], again.summary["failed"]) == (1999, 1, 0)


def test_1000_rows_at_the_length_limits_go_in_with_batch_size_1000(run_import, tmp_path):
    path = tmp_path / "limits.jsonl"
    wide = "\U0001f642"  # four bytes in UTF-8, twelve as a JSON \u escape pair
    with open(path, "w") as file:
        for n in range(1000):
            user_id = f"{n:04d}" + wide * 60
            row = entry(n, user_id=user_id, project=wide * 100, external_id=f"{n:04d}" + wide * 196)
            file.write(json.dumps(row) + "\n")
    run = run_import(str(path), "--batch-size", "1000")
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 1000
    assert Timesheet.objects.count() == 1000


def test_a_row_with_10000_extra_columns_is_rejected_and_the_others_import(run_import, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(f"{HEADER}\n{csv_row(1)}\n{csv_row(2)}{',x' * 10_000}\n{csv_row(3)}\n")
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=3, created=2, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    assert run.rejects[0]["errors"] == {
        "non_field_errors": ["The record has 10,006 columns; at most 200 are read."]
    }


def test_a_header_with_10000_extra_columns_rejects_each_row_with_the_reason(run_import, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(f"{HEADER}{',extra' * 10_000}\n{csv_row(1)}\n{csv_row(2)}\n")
    run = run_import(str(path))
    assert run.exit_code == 1
    assert (run.summary["read"], run.summary["rejected"], run.summary["failed"]) == (2, 2, 0)
    assert "The header (line 1) cannot be read" in run.rejects[0]["errors"]["non_field_errors"][0]


def test_a_line_that_is_not_utf8_rejects_only_its_row(run_import, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"{HEADER}\n{csv_row(1)}\n".encode()
        + b"Employee,u-\xff,2024,10,Atlas,8\n"
        + f"{csv_row(3)}\n".encode()
    )
    run = run_import(str(path))
    assert run.exit_code == 1, run.stderr
    assert run.summary == dict(
        read=3, created=2, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    [reject] = run.rejects
    assert reject["line"] == 3
    assert reject["errors"] == {"non_field_errors": ["Line 3 is not UTF-8 text (byte 0xff at byte 12)."]}


def test_an_unclosed_quote_rejects_a_bounded_record_not_the_file(run_import, tmp_path):
    path = tmp_path / "quote.csv"
    filler = "".join(f"{csv_row(n)}\n" for n in range(100, 3100))  # about 90 KB inside the quote
    path.write_text(f'{HEADER}\n{csv_row(1)}\nEmployee,u-2,2024,10,"Atlas\n{filler}')
    run = run_import(str(path))
    assert run.exit_code == 1
    assert run.summary["created"] >= 1 and accounted(run)
    assert "a quote left open?" in run.rejects[0]["errors"]["non_field_errors"][0]


def test_batches_are_cut_by_encoded_size_as_well_as_count():
    rows = [Item(SourceRow("x", n, None), entry(n, user_id=f"u-{n:03d}")) for n in range(100)]
    size = len(json.dumps(rows[0].entry, separators=(",", ":")).encode())
    found = list(batches(rows, Report(progress=False), 1000, max_bytes=10 * (size + 1) + 1))
    assert [len(batch.items) for batch in found] == [10] * 10
    assert all(len(batch.body()) <= 10 * (size + 1) + 1 for batch in found)
    assert json.loads(found[0].body()) == [row.entry for row in rows[:10]]


def test_a_megabyte_of_0xff_without_a_newline_is_refused_not_a_success(run_import, tmp_path):
    path = tmp_path / "noise.csv"
    path.write_bytes(b"\xff" * 1024 * 1024)
    run = run_import(str(path))
    assert run.exit_code == 1
    assert run.summary == dict(
        read=1, created=0, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0
    )
    [reject] = run.rejects
    assert reject["errors"]["non_field_errors"][0].startswith("The header (line 1) cannot be read: Line 1 is")


def test_cr_only_line_ends_are_read_as_line_ends(run_import, tmp_path):
    path = tmp_path / "classic-mac.csv"
    path.write_bytes("\r".join([HEADER, csv_row(1), csv_row(2), csv_row(3)]).encode() + b"\r")
    run = run_import(str(path))
    assert run.exit_code == 0, run.stderr
    assert run.summary["read"] == run.summary["created"] == 3
    assert Timesheet.objects.count() == 3
