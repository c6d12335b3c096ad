"""The importer against a failing network and API: waits, gives up cleanly, and a rerun finishes the work."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
from oauth2_provider.models import get_access_token_model

from importer.lock import single_run
from timesheets.models import Timesheet


@pytest.fixture
def six_rows(tmp_path) -> str:
    path = tmp_path / "six.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["user_type", "user_id", "year", "week", "project", "hours"])
        writer.writerows([["Contractor", f"c-{n}", "2024", "10", "Atlas", "8"] for n in range(6)])
    return str(path)


def test_429_and_503_with_retry_after_are_waited_out(run_import, six_rows, faulty_api, retry_clock):
    faulty_api.faults = [("status", (429, 1)), ("status", (503, 1))]
    run = run_import(six_rows)
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 6
    assert retry_clock.waits == [1, 1]
    first, second, third = faulty_api.seen  # by the wall clock, which the waits moved on
    assert second - first >= 1 and third - second >= 1


def test_each_batch_goes_on_a_connection_of_its_own(run_import, six_rows, faulty_api):
    # A kept-alive connection would hold every batch on the API worker that accepted it.
    run = run_import(six_rows, "--batch-size", "2")
    assert run.exit_code == 0, run.stderr
    assert len(faulty_api.client_ports) == 3
    assert len(set(faulty_api.client_ports)) == 3


def test_a_dropped_connection_is_retried_without_doubling(run_import, six_rows, faulty_api, retry_clock):
    faulty_api.faults = [("drop", None)]
    run = run_import(six_rows)
    assert len(retry_clock.waits) == 1  # the backoff before the one retry
    assert run.exit_code == 0, run.stderr
    assert Timesheet.objects.count() == 6


def test_the_api_down_mid_run_then_up_ends_with_every_entry_once(
    run_import, six_rows, faulty_api, tmp_path, retry_clock
):
    faulty_api.down_after = 1  # the first batch goes through, then the API is gone
    rejects = tmp_path / "rejects.jsonl"
    first = run_import(six_rows, "--batch-size", "2", "--retry-for", "1", "--rejects", str(rejects))
    assert first.exit_code == 1
    assert first.summary["created"] == 2 and first.summary["failed"] == 4
    failed = [json.loads(line) for line in rejects.read_text().splitlines()]
    # Two batches are in flight, so which one reached the API first varies; the rows that
    # failed are the other two batches' (lines 2 to 7 hold the six rows), each once.
    created_lines = set(range(2, 8)) - {reject["line"] for reject in failed}
    assert {reject["status"] for reject in failed} == {"failed"} and len(failed) == 4
    assert created_lines in ({2, 3}, {4, 5}, {6, 7})

    faulty_api.down, faulty_api.down_after = False, None
    second = run_import(six_rows, "--batch-size", "2")
    assert second.exit_code == 0
    assert second.summary["unchanged"] == 2 and second.summary["created"] == 4
    assert Timesheet.objects.count() == 6


def test_a_malformed_answer_fails_the_batch_and_a_rerun_completes(run_import, six_rows, faulty_api):
    faulty_api.faults = [("garbage", None)]
    first = run_import(six_rows)
    assert first.exit_code == 1 and first.summary["failed"] == 6
    second = run_import(six_rows)
    assert second.exit_code == 0
    assert Timesheet.objects.count() == 6


def test_the_token_endpoint_down_fails_the_rows_and_sends_nothing(run_import, six_rows, retry_clock):
    run = run_import(six_rows, "--retry-for", "1", env={"OAUTH_TOKEN_URL": "http://127.0.0.1:9/oauth/token"})
    assert retry_clock.waits and sum(retry_clock.waits) <= 1  # retried, for --retry-for and no longer
    assert run.exit_code == 1
    assert run.summary["failed"] == 6
    assert "No access token" in run.stderr
    assert not Timesheet.objects.exists()


def test_two_imports_of_one_file_at_once_make_one_entry_per_row(run_import_process, six_rows, tmp_path):
    results = []

    def run(cache: str) -> None:
        results.append(run_import_process(six_rows, "--batch-size", "1", env={"TIMESHEETS_CACHE_DIR": cache}))

    # Separate cache folders: separate locks, so the two really race on the API.
    threads = [threading.Thread(target=run, args=(str(tmp_path / name),)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [run.exit_code for run in results] == [0, 0]
    assert sum(run.summary["created"] for run in results) == 6
    assert Timesheet.objects.count() == 6


def test_a_run_gives_up_while_another_holds_the_lock(run_import, six_rows, importer_env):
    with single_run(Path(importer_env["TIMESHEETS_CACHE_DIR"]) / "import.lock", 0):
        run = run_import(six_rows, "--lock-wait", "0.5")
    assert run.exit_code == 2
    assert "Another import" in run.stderr
    assert not Timesheet.objects.exists()


def test_a_storm_of_429s_beyond_the_retry_time_fails_cleanly_and_a_rerun_completes(
    run_import, six_rows, faulty_api, retry_clock
):
    faulty_api.faults = [("status", (429, 1))] * 50
    first = run_import(six_rows, "--retry-for", "3")
    assert retry_clock.waits == [1, 1]  # a third wait would end past --retry-for: it gives up instead
    assert first.exit_code == 1
    assert first.summary["failed"] == 6
    assert "HTTP 429" in first.stderr

    faulty_api.faults = []
    second = run_import(six_rows)
    assert second.exit_code == 0 and second.summary["created"] == 6


def test_a_timeout_is_retried_and_nothing_is_doubled(run_import, six_rows, faulty_api, retry_clock):
    faulty_api.faults = [("stall", 3)]  # the API writes the batch, but answers too late
    run = run_import(six_rows, "--timeout", "1")
    assert len(retry_clock.waits) == 1  # the backoff before the one retry
    assert run.exit_code == 0, run.stderr
    assert run.summary["unchanged"] == 6  # the retry finds the rows the timed-out request wrote
    assert Timesheet.objects.count() == 6


def test_a_token_expiring_mid_run_is_replaced(run_import, six_rows, faulty_api, settings, retry_clock):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ACCESS_TOKEN_EXPIRE_SECONDS": 2}
    settings.OAUTH_LEEWAY = 0
    faulty_api.faults = [None, ("status", (503, 3))]  # the second batch waits past the expiry
    run = run_import(six_rows, "--batch-size", "2")
    assert retry_clock.waits == [3]  # and the API's clock moved on with it
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 6
    assert get_access_token_model().objects.count() >= 2
