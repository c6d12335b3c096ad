"""import_timesheets end to end: a real process, the live API and the embedded issuer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from oauth2_provider.models import get_access_token_model

from importer.lock import single_run
from timesheets.models import Timesheet

HEADER = ["user_type", "user_id", "year", "week", "project", "hours"]
ROWS = [
    ["Contractor", "c-1", "2024", "10", "Atlas", "12.5"],
    ["Contractor", "c-2", "2024", "10", "Atlas", "8"],
    ["Employee", "e-1", "2020", "53", "Borealis, phase 2", "40"],
]


@pytest.fixture
def export(tmp_path):
    """Writes a native CSV export and returns its path."""

    def write(rows=ROWS, name="export.csv"):
        path = tmp_path / name
        with open(path, "w", newline="") as file:
            csv.writer(file).writerows([HEADER, *rows])
        return str(path)

    return write


@pytest.fixture
def edit_cached_token(importer_env):
    def edit(**changes) -> None:
        [cached] = Path(importer_env["TIMESHEETS_CACHE_DIR"]).glob("token-*.json")
        cached.write_text(json.dumps({**json.loads(cached.read_text()), **changes}))

    return edit


def test_a_first_import_creates_every_row(run_import, export):
    run = run_import(export())
    assert run.exit_code == 0, run.stderr
    assert run.summary == dict(
        read=3, created=3, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=0, failed=0
    )
    assert Timesheet.objects.count() == 3
    assert Timesheet.objects.get(user_id="e-1").external_id == "Employee:e-1:2020-W53:Borealis, phase 2"


def test_a_rerun_changes_nothing(run_import, export):
    run_import(export())
    before = list(Timesheet.objects.values_list("pk", "updated_at"))
    run = run_import(export())
    assert run.exit_code == 0
    assert run.summary["unchanged"] == 3 and run.summary["created"] == 0
    assert list(Timesheet.objects.values_list("pk", "updated_at")) == before


def test_edited_rows_are_updated(run_import, export):
    run_import(export())
    edited = [[*ROWS[0][:5], "13"], *ROWS[1:]]
    run = run_import(export(edited))
    assert run.summary["updated"] == 1 and run.summary["unchanged"] == 2
    assert Timesheet.objects.get(user_id="c-1").hours == 13


def test_an_edited_approved_entry_is_a_conflict(run_import, export):
    run_import(export())
    Timesheet.objects.filter(user_id="c-1").update(approved=True)
    run = run_import(export([[*ROWS[0][:5], "99"], *ROWS[1:]]))
    assert run.exit_code == 1
    assert run.summary["conflicts"] == 1
    [reject] = run.rejects
    assert reject["status"] == "conflict" and reject["row"]["user_id"] == "c-1"
    assert Timesheet.objects.get(user_id="c-1").hours == 12.5


def test_invalid_rows_are_rejected_with_reasons_and_valid_ones_go_in(run_import, export, tmp_path):
    rows = [
        *ROWS,
        ["Employee", "e-2", "2021", "53", "Atlas", "8"],
        ["Intern", "i-1", "2024", "1", "Atlas", "8"],
    ]
    rejects = tmp_path / "rejects.jsonl"
    run = run_import(export(rows), "--rejects", str(rejects))
    assert run.exit_code == 1
    assert run.summary["created"] == 3 and run.summary["rejected"] == 2
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(line["line"], line["status"]) for line in lines] == [(5, "invalid"), (6, "invalid")]
    assert lines[0]["errors"] == {"week": ["Week 53 does not exist in ISO year 2021."]}
    assert "user_type" in lines[1]["errors"]
    assert set(lines[0]) == {"source", "line", "row", "external_id", "status", "errors"}


def test_the_summary_can_be_json(run_import, export):
    run = run_import(export(), "--json")
    assert json.loads(run.stdout.splitlines()[-1])["created"] == 3


def test_two_runs_make_one_token_request(run_import, export):
    run_import(export())
    run_import(export())
    assert get_access_token_model().objects.count() == 1


def test_the_cached_token_is_private_to_its_user(run_import, export, importer_env):
    run_import(export())
    [cached] = Path(importer_env["TIMESHEETS_CACHE_DIR"]).glob("token-*.json")
    assert cached.stat().st_mode & 0o777 == 0o600


def test_an_expired_cached_token_is_replaced(run_import, export, edit_cached_token):
    run_import(export())
    edit_cached_token(refresh_at=0)
    assert run_import(export()).exit_code == 0
    assert get_access_token_model().objects.count() == 2


def test_a_token_the_api_refuses_is_replaced_once(run_import, export, edit_cached_token):
    run_import(export())
    edit_cached_token(access_token="revoked.token.value")
    run = run_import(export())
    assert run.exit_code == 0 and run.summary["unchanged"] == 3
    assert get_access_token_model().objects.count() == 2


def test_a_wrong_secret_exits_2_and_sends_nothing(run_import, export, faulty_api):
    run = run_import(export(), env={"OAUTH_CLIENT_SECRET": "not-the-secret"})
    assert run.exit_code == 2
    assert "invalid_client" in run.stderr
    assert faulty_api.seen == []
    assert not Timesheet.objects.exists()


def test_missing_credentials_exit_2(run_import, export):
    run = run_import(export(), env={"OAUTH_CLIENT_ID": None})
    assert run.exit_code == 2
    assert "OAUTH_CLIENT_ID" in run.stderr


def test_secrets_never_reach_the_output(run_import, export, importer_env):
    run = run_import(export())
    wrong = run_import(export(), env={"OAUTH_CLIENT_SECRET": importer_env["OAUTH_CLIENT_SECRET"] + "x"})
    for output in (run.stdout, run.stderr, wrong.stdout, wrong.stderr):
        assert importer_env["OAUTH_CLIENT_SECRET"] not in output


def test_a_dry_run_validates_without_credentials_or_sending(run_import, export):
    rows = [*ROWS, ["Employee", "e-2", "2021", "53", "Atlas", "8"]]
    run = run_import(export(rows), "--dry-run", env={"OAUTH_CLIENT_ID": None, "OAUTH_CLIENT_SECRET": None})
    assert run.exit_code == 1
    assert run.summary == dict(read=4, created=0, updated=0, unchanged=0, deleted=0, conflicts=0, rejected=1, failed=0)
    assert not Timesheet.objects.exists()


def test_a_run_waiting_for_the_lock_keeps_the_previous_rejects(run_import, export, importer_env, tmp_path):
    rejects = tmp_path / "rejects.jsonl"
    rejects.write_text('{"previous": "run"}\n')
    with single_run(Path(importer_env["TIMESHEETS_CACHE_DIR"]) / "import.lock", 0):
        run = run_import(export(), "--lock-wait", "0.2", "--rejects", str(rejects))
    assert run.exit_code == 2
    assert rejects.read_text() == '{"previous": "run"}\n'


def test_an_api_url_without_a_scheme_is_a_configuration_error(run_import, export):
    run = run_import(export(), env={"TIMESHEETS_API_URL": "localhost:8000"})
    assert run.exit_code == 2
    assert "TIMESHEETS_API_URL must be an http(s):// URL" in run.stderr


def test_a_key_repeated_in_the_next_batches_ends_with_the_last_row(run_import, export):
    rows = [[*ROWS[0][:5], str(hours)] for hours in (1, 2, 3, 4)]
    run = run_import(export(rows), "--batch-size", "1")
    assert run.exit_code == 0
    assert Timesheet.objects.get().hours == 4


def test_a_json_file_that_is_not_an_array_is_rejected_not_read_as_empty(run_import, tmp_path):
    page = tmp_path / "page.json"
    page.write_text('{"count": 1, "results": []}')
    run = run_import(str(page))
    assert run.exit_code == 1
    assert run.summary["rejected"] == 1
    assert "must be a JSON array" in run.rejects[0]["errors"]["non_field_errors"][0]
