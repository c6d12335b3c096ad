"""What the importer tells its operator: each message names what to check, once.

Runs the command in process against the live API (tests/support.py), as cron would.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest

from scripts.servers import free_port
from timesheets.models import Timesheet

HEADER = "user_type,user_id,year,week,project,hours"


@pytest.fixture
def rows_csv(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("\n".join([HEADER, *(f"Employee,u-{n},2024,10,Atlas,8" for n in range(18))]) + "\n")
    return str(path)


def lines_with(text: str, stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if text in line]


def test_an_unreachable_api_is_one_line_saying_what_to_check_and_one_when_giving_up(
    run_import, rows_csv, retry_clock
):
    run = run_import(
        rows_csv, "--retry-for", "2", env={"TIMESHEETS_API_URL": f"http://127.0.0.1:{free_port()}"}
    )
    assert retry_clock.waits and sum(retry_clock.waits) <= 2  # retried, for --retry-for and no longer
    assert run.exit_code == 1 and run.summary["failed"] == 18
    [first] = lines_with(" WARNING ", run.stderr)
    assert "/oauth/token: ConnectionError (is the API running? check TIMESHEETS_API_URL)" in first
    [last] = lines_with(" ERROR ", run.stderr)
    assert "gave up after" in last
    [table_row] = lines_with("failed  request", run.stderr)  # one line for the 18 rows, not 18
    assert "rows.csv:2 and 17 more" in table_row


@pytest.mark.parametrize(
    ("variable", "source"),
    [("OAUTH_CLIENT_SECRET", None), ("TOGGL_API_TOKEN", "toggl:4242"), ("HARVEST_ACCESS_TOKEN", "harvest:1")],
)
def test_a_secret_file_that_cannot_be_read_is_exit_2_naming_the_variable_and_the_path(
    run_import, rows_csv, variable, source
):
    sources = [source] if source else [rows_csv]
    run = run_import(*sources, env={variable: None, f"{variable}_FILE": "/nonexistent"})
    assert run.exit_code == 2
    assert f"{variable}_FILE=/nonexistent cannot be read: No such file or directory" in run.stderr
    assert "Traceback" not in run.stderr
    assert Timesheet.objects.count() == 0


def test_a_token_url_derived_from_the_api_url_names_the_api_url(run_import, rows_csv, importer_env):
    wrong = importer_env["TIMESHEETS_API_URL"] + "/api"
    run = run_import(rows_csv, env={"TIMESHEETS_API_URL": wrong, "OAUTH_TOKEN_URL": None})
    assert run.exit_code == 2
    assert "answered HTTP 404: check TIMESHEETS_API_URL" in run.stderr
    assert "check OAUTH_TOKEN_URL" not in run.stderr


def test_an_explicit_token_url_is_the_one_named(run_import, rows_csv, importer_env):
    token_url = importer_env["TIMESHEETS_API_URL"] + "/no/token"
    run = run_import(rows_csv, env={"OAUTH_TOKEN_URL": token_url})
    assert run.exit_code == 2
    assert "answered HTTP 404: check OAUTH_TOKEN_URL" in run.stderr


def test_a_token_without_create_scope_is_exit_2_before_any_row_is_sent(
    run_import, rows_csv, api_client, faulty_api
):
    client_id, client_secret = api_client("read:timesheets", name="reader")
    run = run_import(rows_csv, env={"OAUTH_CLIENT_ID": client_id, "OAUTH_CLIENT_SECRET": client_secret})
    assert run.exit_code == 2
    assert (
        f"The token of {client_id} lacks the create:timesheets scope (it has: read:timesheets)" in run.stderr
    )
    assert faulty_api.seen == []  # no batch reached the API
    assert Timesheet.objects.count() == 0


def test_the_scope_is_read_from_the_jwt_when_the_token_answer_names_none():
    from importer.client import token_scopes

    def jwt(claims: str) -> str:
        return "e30." + base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=") + ".sig"

    assert token_scopes(jwt('{"scope": "read:timesheets create:timesheets"}')) == {
        "read:timesheets",
        "create:timesheets",
    }
    assert token_scopes(jwt('{"permissions": ["create:timesheets"]}')) == {"create:timesheets"}
    assert token_scopes(jwt('{"sub": "x"}')) is None
    assert token_scopes("opaque-token") is None


def test_log_lines_carry_utc_with_its_offset_whatever_the_machines_zone(run_import_process, rows_csv):
    # A warning at once (the heartbeat URL), and no retry to wait out (--retry-for 0).
    run = run_import_process(
        rows_csv,
        "--retry-for",
        "0",
        "--heartbeat-url",
        "ftp://monitor.example/ping",
        env={"TIMESHEETS_API_URL": f"http://127.0.0.1:{free_port()}", "TZ": "Asia/Tokyo"},
    )
    [warning] = lines_with(" WARNING ", run.stderr)
    stamp = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00) WARNING importer", warning)
    assert stamp is not None, warning
    assert abs(datetime.fromisoformat(stamp[1]) - datetime.now(UTC)) < timedelta(minutes=5)
