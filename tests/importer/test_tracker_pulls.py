"""import_timesheets pulling Toggl Track, Clockify and Harvest over their APIs (scripts/fake_trackers.py).

Each run is a real process against the live API, as cron runs it. The window is fixed
(2024-W10 and W11) so that no test depends on today's date. The summary counts rows (time
entries), each with the outcome of the weekly entry it was summed into (docs/importer.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from importer.lock import single_run
from scripts.fake_trackers import ACCOUNT, CREDENTIALS, TOOLS, FakeTrackers
from timesheets.models import Timesheet

WINDOW = ("--since", "2024-03-04", "--until", "2024-03-17", "--retry-for", "20")
ALICE, BOB = "alice@example.com", "bob@example.com"


@pytest.fixture
def pull(run_import, trackers):
    """Runs the importer on one tool's account, with that tool's environment."""

    def run(tool: str, *args: str, env: dict[str, str] | None = None, before: tuple[str, ...] = ()):
        sources = (*before, f"{tool}:{ACCOUNT}")
        return run_import(*sources, *WINDOW, *args, env={**trackers.env(tool), **(env or {})})

    return run


def person(tool: str, email: str) -> str:
    """Who a key names: the email, except for Harvest, whose export has names only."""
    return email.split("@")[0].title() if tool == "harvest" else email


def seed(trackers: FakeTrackers, tool: str) -> dict[str, object]:
    """Two people, two weeks: five time entries, summed into four weekly entries."""
    return {
        "alice_w10_mon": trackers.add(tool, ALICE, "Atlas", "2024-03-04T09:00:00+00:00", 2),
        "alice_w10_tue": trackers.add(tool, ALICE, "Atlas", "2024-03-05T09:00:00+00:00", 3.25),
        "alice_w11": trackers.add(tool, ALICE, "Atlas", "2024-03-11T09:00:00+00:00", 4),
        "bob_w10": trackers.add(tool, BOB, "Borealis", "2024-03-06T13:00:00+00:00", 8),
        "bob_w11": trackers.add(tool, BOB, "Borealis", "2024-03-12T13:00:00+00:00", 6),
    }


def hours(tool: str, email: str, week: int, project: str) -> float:
    key = f"{tool}:{person(tool, email)}:2024-W{week:02d}:{project}"
    return float(Timesheet.objects.get(external_id=key).hours)


@pytest.mark.parametrize("tool", TOOLS)
def test_a_first_pull_creates_the_weekly_sums_under_the_exports_keys(pull, trackers, tool):
    seed(trackers, tool)
    run = pull(tool)
    assert run.exit_code == 0, run.stderr
    assert run.summary == dict(
        read=5, created=5, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=0, failed=0
    )
    assert Timesheet.objects.count() == 4
    assert hours(tool, ALICE, 10, "Atlas") == 5.25
    assert hours(tool, BOB, 11, "Borealis") == 6


@pytest.mark.parametrize("tool", TOOLS)
def test_an_unchanged_rerun_writes_nothing(pull, trackers, tool):
    seed(trackers, tool)
    pull(tool)
    before = list(Timesheet.objects.values_list("pk", "updated_at"))
    run = pull(tool)
    assert run.exit_code == 0, run.stderr
    assert run.summary["unchanged"] == 5 and run.summary["created"] == run.summary["deleted"] == 0
    assert list(Timesheet.objects.values_list("pk", "updated_at")) == before


@pytest.mark.parametrize("tool", TOOLS)
def test_edits_deletions_new_projects_and_approved_changes_reach_the_api(pull, trackers, tool, importer_env):
    entries = seed(trackers, tool)
    pull(tool)
    bob_w10 = f"{tool}:{person(tool, BOB)}:2024-W10:Borealis"
    Timesheet.objects.filter(external_id=bob_w10).update(approved=True)
    trackers.remove(tool, entries["alice_w10_tue"])
    trackers.add(tool, ALICE, "Atlas", "2024-03-05T09:00:00+00:00", 1)  # edited: 3.25 h became 1 h
    trackers.remove(tool, entries["alice_w11"])  # a deleted week
    trackers.add(tool, BOB, "Cosmos", "2024-03-07T09:00:00+00:00", 2)  # a new project in an old week
    trackers.add(tool, BOB, "Borealis", "2024-03-08T09:00:00+00:00", 1)  # the approved week changed
    shutil.rmtree(importer_env["TIMESHEETS_CACHE_DIR"])  # the truth lives in the API

    run = pull(tool)
    assert run.exit_code == 1
    # Rows: Alice's W10 (2 rows) updated, her W11 deleted, Bob's Cosmos (1) created, his
    # approved W10 (2) a conflict, his W11 (1) unchanged; the deletion is one more row read.
    assert {
        name: run.summary[name] for name in ("updated", "deleted", "created", "conflicts", "unchanged")
    } == {"updated": 2, "deleted": 1, "created": 1, "conflicts": 2, "unchanged": 1}
    assert run.summary["read"] == sum(count for name, count in run.summary.items() if name != "read")
    assert hours(tool, ALICE, 10, "Atlas") == 3
    assert not Timesheet.objects.filter(week=11, user_id=person(tool, ALICE)).exists()
    assert hours(tool, BOB, 10, "Borealis") == 8  # approved: kept as approved
    [conflict] = run.rejects
    assert conflict["external_id"] == bob_w10 and conflict["status"] == "conflict"


@pytest.mark.parametrize("tool", TOOLS)
def test_an_approved_week_gone_from_the_tracker_stays_as_a_conflict(pull, trackers, tool):
    entries = seed(trackers, tool)
    pull(tool)
    bob_w11 = f"{tool}:{person(tool, BOB)}:2024-W11:Borealis"
    Timesheet.objects.filter(external_id=bob_w11).update(approved=True)
    trackers.remove(tool, entries["bob_w11"])
    run = pull(tool)
    assert run.summary["conflicts"] == 1 and run.summary["deleted"] == 0
    assert Timesheet.objects.filter(external_id=bob_w11).exists()


@pytest.mark.parametrize("tool", TOOLS)
def test_rate_limits_with_and_without_retry_after_are_waited_out(pull, trackers, tool, retry_clock):
    seed(trackers, tool)
    trackers.faults[tool] = [(429, "0"), (429, None), (429, "1"), (429, None), (429, "0"), (503, "0")]
    run = pull(tool)
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 5
    assert trackers.requests[tool] > 6
    # Retry-After is waited as asked; without it, the backoff of that attempt (0.5 s * 2**attempt at most).
    zero, backoff_1, one, backoff_3, zero_again, after_503 = retry_clock.waits
    assert (zero, one, zero_again, after_503) == (0, 1, 0, 0)
    assert 0 <= backoff_1 <= 1 and 0 <= backoff_3 <= 4


@pytest.mark.parametrize(("tool", "page_size"), [("toggl", 50), ("clockify", 1000), ("harvest", 2000)])
def test_a_pull_failing_on_page_two_deletes_nothing_and_counts_as_failed(
    pull, trackers, tool, page_size, tmp_path, retry_clock
):
    for number in range(page_size + 10):
        trackers.add(tool, f"p{number}@example.com", "Atlas", "2024-03-05T09:00:00+00:00", 1)
    gone = trackers.add(tool, "p0@example.com", "Borealis", "2024-03-06T09:00:00+00:00", 1)
    assert pull(tool).summary["created"] == page_size + 11
    trackers.remove(tool, gone)  # time gone, of a person page 1 still shows...
    trackers.failing_page[tool] = 2  # ...but the pull breaks off, so nobody can know it
    native = tmp_path / "other.csv"
    native.write_text("user_type,user_id,year,week,project,hours\nEmployee,e-1,2024,10,Atlas,8\n")

    run = pull(tool, "--retry-for", "2", before=(str(native),))
    assert retry_clock.waits  # page two was retried before the pull gave up
    assert run.exit_code == 1
    assert run.summary["deleted"] == 0 and run.summary["failed"] >= 1
    assert run.summary["created"] == 1  # the other source still went through
    assert Timesheet.objects.filter(external_id__startswith=f"{tool}:").count() == page_size + 11


@pytest.mark.parametrize("tool", TOOLS)
def test_a_refused_token_stops_the_run_before_anything_is_sent(pull, trackers, tool, tmp_path):
    seed(trackers, tool)
    native = tmp_path / "first.csv"
    native.write_text("user_type,user_id,year,week,project,hours\nEmployee,e-1,2024,10,Atlas,8\n")
    run = pull(tool, "--batch-size", "1", env={CREDENTIALS[tool]: "not-the-token"}, before=(str(native),))
    assert run.exit_code == 2
    assert "refused the credentials" in run.stderr and "not-the-token" not in run.stderr + run.stdout
    assert Timesheet.objects.count() == 0


@pytest.mark.parametrize("tool", TOOLS)
def test_the_token_may_come_from_a_file(pull, trackers, tool, tmp_path):
    seed(trackers, tool)
    secret = tmp_path / "token"
    secret.write_text(trackers.env(tool)[CREDENTIALS[tool]] + "\n")
    run = pull(tool, env={CREDENTIALS[tool]: None, f"{CREDENTIALS[tool]}_FILE": str(secret)})
    assert run.exit_code == 0, run.stderr
    assert run.summary["created"] == 5


@pytest.mark.parametrize("tool", TOOLS)
def test_a_week_crossing_the_year_is_iso_week_53(run_import, trackers, tool):
    trackers.add(tool, ALICE, "Atlas", "2020-12-31T10:00:00+00:00", 3)
    trackers.add(tool, ALICE, "Atlas", "2021-01-02T10:00:00+00:00", 2)
    trackers.add(tool, ALICE, "Atlas", "2021-01-04T10:00:00+00:00", 1)
    run = run_import(
        f"{tool}:{ACCOUNT}", "--since", "2020-12-30", "--until", "2021-01-05", env=trackers.env(tool)
    )
    assert run.exit_code == 0, run.stderr
    assert Timesheet.objects.get(year=2020, week=53).hours == 5
    assert Timesheet.objects.get(year=2021, week=1).hours == 1


@pytest.mark.parametrize("tool", ["toggl", "clockify"])
def test_the_time_zone_decides_the_day_and_so_the_week(pull, trackers, tool):
    trackers.add(tool, ALICE, "Atlas", "2024-03-10T23:30:00+00:00", 1)  # Sunday in UTC, Monday in Tokyo
    assert pull(tool, "--time-zone", "Asia/Tokyo").exit_code == 0
    assert Timesheet.objects.get().week == 11


@pytest.mark.parametrize("tool", ["toggl", "clockify"])
def test_running_timers_wait_and_entries_without_a_project_are_rejected(pull, trackers, tool):
    seed(trackers, tool)
    trackers.add(tool, ALICE, "Atlas", "2024-03-13T09:00:00+00:00", None)  # running
    trackers.add(tool, BOB, None, "2024-03-13T09:00:00+00:00", 1)
    run = pull(tool)
    # The running timer is read and left out of this run: unchanged.
    counts = {name: run.summary[name] for name in ("read", "created", "unchanged", "rejected")}
    assert counts == {"read": 7, "created": 5, "unchanged": 1, "rejected": 1}
    [reject] = run.rejects
    assert reject["errors"] == {"project": ["Project is empty."]}
    assert hours(tool, ALICE, 11, "Atlas") == 4


@pytest.mark.parametrize("tool", TOOLS)
def test_moving_from_export_files_to_the_api_doubles_nothing(run_import, pull, trackers, tool, tmp_path):
    seed(trackers, tool)
    export = tmp_path / f"{tool}.csv"
    export.write_text(trackers.export_csv(tool))
    assert run_import(str(export)).summary["created"] == 5
    run = pull(tool)
    assert run.summary["unchanged"] == 5 and run.summary["created"] == 0, run.stderr


def test_an_export_file_with_a_window_is_the_whole_truth_for_it(run_import, trackers, tmp_path):
    entries = seed(trackers, "toggl")
    export = tmp_path / "toggl.csv"
    export.write_text(trackers.export_csv("toggl"))
    run_import(str(export))
    trackers.remove("toggl", entries["bob_w11"])
    export.write_text(trackers.export_csv("toggl"))

    assert run_import(str(export)).summary["deleted"] == 0  # no window: a file removes nothing
    run = run_import(str(export), *WINDOW)
    assert run.summary["deleted"] == 1 and run.summary["unchanged"] == 4  # 3 weekly entries, 4 rows
    assert not Timesheet.objects.filter(external_id=f"toggl:{BOB}:2024-W11:Borealis").exists()


def test_rows_outside_the_window_of_an_export_are_ignored(run_import, trackers, tmp_path):
    seed(trackers, "toggl")
    trackers.add("toggl", ALICE, "Atlas", "2024-03-18T09:00:00+00:00", 1)  # W12
    export = tmp_path / "toggl.csv"
    export.write_text(trackers.export_csv("toggl"))
    run = run_import(str(export), *WINDOW)
    assert run.summary["created"] == 5 and run.summary["read"] == 6 and run.summary["unchanged"] == 1
    assert not Timesheet.objects.filter(week=12).exists()


def test_two_firms_import_side_by_side_without_sharing_a_lock(run_import, trackers, api_client, tmp_path):
    """Each firm's crontab line: its own API client, tracker token and TIMESHEETS_CACHE_DIR."""
    seed(trackers, "toggl")
    seed(trackers, "harvest")
    firms = {}
    for firm, tool in (("north", "toggl"), ("south", "harvest")):
        client_id, client_secret = api_client("create:timesheets", name=firm)
        firms[firm] = {
            **trackers.env(tool),
            "OAUTH_CLIENT_ID": client_id,
            "OAUTH_CLIENT_SECRET": client_secret,
            "TIMESHEETS_CACHE_DIR": str(tmp_path / firm),
        }
    with single_run(Path(firms["north"]["TIMESHEETS_CACHE_DIR"]) / "import.lock", 0):  # north is running
        south = run_import(f"harvest:{ACCOUNT}", *WINDOW, "--lock-wait", "0", env=firms["south"])
        blocked = run_import(f"toggl:{ACCOUNT}", *WINDOW, "--lock-wait", "0", env=firms["north"])
    assert south.exit_code == 0 and south.summary["created"] == 5, south.stderr
    assert blocked.exit_code == 2
    north = run_import(f"toggl:{ACCOUNT}", *WINDOW, env=firms["north"])
    assert north.summary["created"] == 5 and north.summary["deleted"] == 0
    assert Timesheet.objects.count() == 8


def test_two_accounts_of_one_tool_in_one_run_are_refused(run_import, trackers):
    run = run_import(f"toggl:{ACCOUNT}", "toggl:99", *WINDOW, env=trackers.env("toggl"))
    assert run.exit_code == 2 and "one toggl account per run" in run.stderr


def test_a_toggl_report_without_project_names_takes_them_from_the_workspaces_projects(pull, trackers):
    seed(trackers, "toggl")
    trackers.toggl_enriches = False
    run = pull("toggl")
    assert run.summary["created"] == 5, run.stderr
    assert hours("toggl", BOB, 10, "Borealis") == 8


def test_harvest_pages_are_followed_by_next_page_when_there_are_no_links(pull, trackers):
    for number in range(2001):
        trackers.add("harvest", f"p{number}@example.com", "Atlas", "2024-03-05T09:00:00+00:00", 1)
    trackers.harvest_links = False
    run = pull("harvest")
    assert run.summary["created"] == 2001, run.stderr
    assert trackers.pages["harvest"] == 2


def test_a_dry_run_previews_the_deletions_and_deletes_nothing(pull, trackers):
    entries = seed(trackers, "toggl")
    pull("toggl")
    trackers.remove("toggl", entries["bob_w11"])
    run = pull("toggl", "--dry-run")
    assert run.summary["deleted"] == 1 and run.summary["unchanged"] == 4, run.stderr
    assert Timesheet.objects.filter(external_id=f"toggl:{BOB}:2024-W11:Borealis").exists()
