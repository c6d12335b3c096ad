"""Sick servers and machines: every row accounted for, exit statuses as documented, quiet logs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from importer.client import RetryPolicy, TokenProvider
from importer.config import load_config
from tests.support import ImportRun
from timesheets.models import Timesheet

HEADER = "user_type,user_id,year,week,project,hours"


def accounted(run: ImportRun) -> bool:
    summary = run.summary
    return summary["read"] == sum(count for name, count in summary.items() if name != "read")


@pytest.fixture
def rows_csv(tmp_path):
    def write(count: int, name: str = "rows.csv", invalid: int = 0) -> str:
        path = tmp_path / name
        with open(path, "w") as file:
            file.write(HEADER + "\n")
            for n in range(count):
                file.write(f"Employee,u-{n},2024,10,Atlas,8\n")
            for n in range(invalid):
                file.write(f"Intern,i-{n},2024,10,Atlas,8\n")
        return str(path)

    return write


@pytest.mark.parametrize("status", [401, 403])
def test_authorization_lost_mid_run_exits_2_with_the_rest_counted_failed(
    run_import, rows_csv, faulty_api, status
):
    faulty_api.faults = [None, None] + [("status", (status, 0))] * 20
    run = run_import(rows_csv(10), "--batch-size", "2")
    assert run.exit_code == 2, run.stderr
    # Batches 1 and 2 were written; 3 and 4 were refused; 5 was never sent.
    assert run.summary == dict(
        read=10, created=4, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=0, failed=6
    )
    assert Timesheet.objects.count() == 4
    assert f"HTTP {status}" in run.stderr


def test_a_413_splits_the_batch_and_sends_it_in_halves(run_import, rows_csv, faulty_api):
    faulty_api.faults = [("status", (413, 0))]
    run = run_import(rows_csv(6))
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 6
    assert len(faulty_api.seen) == 3


def test_the_api_down_for_50000_rows_is_a_few_log_lines(run_import, rows_csv, faulty_api, retry_clock):
    faulty_api.down = True
    run = run_import(rows_csv(50_000), "--retry-for", "1")
    assert run.exit_code == 1
    assert run.summary["failed"] == 50_000 and accounted(run)
    assert len(run.stderr.splitlines()) < 25, run.stderr


def test_failed_rows_go_to_the_rejects_file_not_to_standard_error(
    run_import, rows_csv, faulty_api, tmp_path, retry_clock
):
    faulty_api.down = True
    rejects = tmp_path / "rejects.jsonl"
    run = run_import(rows_csv(1200), "--retry-for", "1", "--rejects", str(rejects))
    assert run.summary["failed"] == 1200
    lines = rejects.read_text().splitlines()
    assert len(lines) == 1200 and {json.loads(line)["status"] for line in lines} == {"failed"}
    assert run.rejects == []


def test_each_run_replaces_the_rejects_file_with_its_own_rows(run_import, rows_csv, tmp_path):
    rejects = tmp_path / "out" / "rejects.jsonl"
    rejects.parent.mkdir()
    export = rows_csv(2, invalid=3)
    for _ in range(2):
        run = run_import(export, "--rejects", str(rejects))
        assert run.exit_code == 1
    assert len(rejects.read_text().splitlines()) == 3
    assert [path.name for path in rejects.parent.iterdir()] == ["rejects.jsonl"]


def test_standard_error_shows_the_first_refused_rows_and_where_the_rest_are(run_import, rows_csv, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    run = run_import(rows_csv(1, invalid=12), "--rejects", str(rejects))
    assert "Refused rows (the first 10 of 12):" in run.stderr
    assert re.search(r"\n  line +status +field +message\n", run.stderr)
    assert re.search(r'rows\.csv:3 +invalid +user_type +"Intern" is not a valid choice\.\n', run.stderr)
    assert "rows.csv:13" not in run.stderr
    assert f"All 12 are in {rejects}, one JSON object per line." in run.stderr


def test_an_unwritable_cache_folder_is_one_warning_and_the_run_goes_on(run_import, rows_csv, tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    run = run_import(rows_csv(3), env={"TIMESHEETS_CACHE_DIR": str(tmp_path / "not-a-folder" / "cache")})
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 3
    assert [line for line in run.stderr.splitlines() if " WARNING " in line] == [
        line for line in run.stderr.splitlines() if "with the token in memory" in line
    ]
    assert len(run.stderr.splitlines()) == 2  # the warning, and the token fetched


def test_a_full_cache_folder_is_one_warning_and_the_token_stays_in_memory(
    run_import, rows_csv, importer_env, monkeypatch
):
    for name, value in importer_env.items():
        monkeypatch.setenv(name, value)
    cache = Path(importer_env["TIMESHEETS_CACHE_DIR"])
    cache.mkdir()
    path = TokenProvider(load_config(), requests.Session(), RetryPolicy()).cache_path
    path.with_suffix(".tmp").symlink_to("/dev/full")  # every write there: ENOSPC
    run = run_import(rows_csv(3), "--batch-size", "1")
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 3
    warnings = [line for line in run.stderr.splitlines() if " WARNING " in line]
    assert len(warnings) == 1 and "kept in memory" in warnings[0]
    assert not path.exists()


def test_a_wrong_secret_exits_2_even_with_a_token_cached_for_the_client(
    run_import, rows_csv, importer_env, faulty_api
):
    export = rows_csv(3)
    assert run_import(export).exit_code == 0
    sent = len(faulty_api.seen)
    run = run_import(export, env={"OAUTH_CLIENT_SECRET": "not-the-secret"})
    assert run.exit_code == 2
    assert "invalid_client" in run.stderr
    assert len(faulty_api.seen) == sent
    cached = "".join(path.read_text() for path in Path(importer_env["TIMESHEETS_CACHE_DIR"]).iterdir())
    assert importer_env["OAUTH_CLIENT_SECRET"] not in cached


def test_errors_name_the_url_they_hit(run_import, rows_csv, api):
    run = run_import(rows_csv(1), env={"OAUTH_TOKEN_URL": f"{api.base_url}/no/such/token/endpoint"})
    assert run.exit_code == 2, run.stderr
    assert f"The token endpoint {api.base_url}/no/such/token/endpoint answered HTTP 404" in run.stderr
    assert not Timesheet.objects.exists()


def test_rejects_through_a_link_replace_the_file_it_names_and_keep_the_link(run_import, rows_csv, tmp_path):
    target = tmp_path / "logs" / "rejects.jsonl"
    target.parent.mkdir()
    target.write_text('{"previous": "run"}\n')
    link = tmp_path / "rejects.jsonl"
    link.symlink_to(target)
    run = run_import(rows_csv(1, invalid=2), "--rejects", str(link))
    assert run.exit_code == 1
    assert link.is_symlink()
    assert [json.loads(line)["status"] for line in target.read_text().splitlines()] == ["invalid", "invalid"]
