"""Settings read from the environment: safe defaults locally, refusals in production."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.http import HttpResponse

from common.devchecks import development_warnings_wanted
from timesheets.middleware import DatabaseUnavailableMiddleware

from .support.paths import PROJECT_DIR

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "timesheets.abc.example",
    "TIMESHEETS_PUBLIC_URL": "https://timesheets.abc.example",
    "TIMESHEETS_KEY_ENCRYPTION_KEY": "Wb1bs1Ubf5M-wHv3uy3Tb2W7mSWWy1XtHeFDA08mOA8=",  # a test key, not secret
}


# The project's own variables: a test's command sees none of this process's, only its own.
PROJECT_VARIABLES = ("DJANGO_", "OAUTH_", "TIMESHEETS_", "AUTH0_")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(PROJECT_VARIABLES)
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**environment, **env},
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def read_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """The server's settings module run afresh in this process, under the environment `manage`
    gives a command: the names it defines, or the ImproperlyConfigured it refuses with, raised.

    Settings are read from the environment once, when that module runs; every entry point
    (manage.py, the WSGI module) runs it before anything else, and a refusal is its raise.
    So a test of what it reads, or refuses, needs a fresh run of it, not a process of its own
    (which spends a second starting Django for it).
    """
    for name in [name for name in os.environ if name.startswith(PROJECT_VARIABLES)]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROJECT_DIR / "timesheets_site" / "settings.py"))


def test_production_settings_pass_the_deploy_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr


def test_a_public_host_without_a_public_url_refuses_to_start(monkeypatch):
    settings = {name: value for name, value in PRODUCTION.items() if name != "TIMESHEETS_PUBLIC_URL"}
    with pytest.raises(ImproperlyConfigured, match="TIMESHEETS_PUBLIC_URL is required"):
        read_settings(monkeypatch, **settings)


def test_the_embedded_issuer_on_a_public_host_refuses_the_development_key_encryption_key():
    settings = {name: value for name, value in PRODUCTION.items() if name != "TIMESHEETS_KEY_ENCRYPTION_KEY"}
    result = manage("check", **settings)
    assert result.returncode != 0
    assert "TIMESHEETS_KEY_ENCRYPTION_KEY (or _FILE) is required" in result.stderr


def test_with_auth0_no_key_encryption_key_is_needed():
    settings = {name: value for name, value in PRODUCTION.items() if name != "TIMESHEETS_KEY_ENCRYPTION_KEY"}
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", AUTH0_DOMAIN="abc.eu.auth0.com", **settings
    )
    assert result.returncode == 0, result.stderr


def test_a_public_host_without_a_secret_key_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is required"):
        read_settings(monkeypatch, DJANGO_ALLOWED_HOSTS="timesheets.abc.example")


def test_local_use_warns_about_the_development_key():
    result = manage("check")
    assert result.returncode == 0
    assert "timesheets.W001" in result.stderr


@pytest.mark.parametrize(("args", "shown"), [((), False), (("-v", "2"), True), (("--verbosity=3",), True)])
def test_other_commands_show_the_development_warnings_only_with_verbosity_2(tmp_path, args, shown):
    result = manage(
        "makemigrations", "--check", "--dry-run", *args, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"
    )
    assert result.returncode == 0, result.stderr
    assert ("timesheets.W001" in result.stderr) is shown
    assert ("issuer.W001" in result.stderr) is shown


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["manage.py", "check"], True),
        (["manage.py", "runserver", "8001"], True),
        (["manage.py", "migrate"], False),
        (["manage.py", "migrate", "-v2"], True),
        (["manage.py", "migrate", "--verbosity", "1"], False),
        (["manage.py"], False),
    ],
)
def test_which_command_lines_want_the_development_warnings(argv, wanted):
    assert development_warnings_wanted(argv) is wanted


def test_hs256_without_its_secret_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="OAUTH_SIGNING_SECRET"):
        read_settings(monkeypatch, OAUTH_ALGORITHMS="RS256,HS256")


@pytest.mark.django_db
def test_postgresql_connections_carry_the_statement_timeout():
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's; SQLite waits on locks for its own timeout")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"  # DATABASE_STATEMENT_TIMEOUT's default


@pytest.mark.django_db
def test_a_statement_over_the_timeout_is_answered_503(rf):
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    with pytest.raises(OperationalError) as cancelled, connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(1)")
    response = DatabaseUnavailableMiddleware(lambda request: HttpResponse()).process_exception(
        rf.get("/timesheets"), cancelled.value
    )
    assert response is not None
    assert response.status_code == 503


def test_postgresql_threads_share_a_bounded_pool_of_connections(monkeypatch):
    # 256 threads a worker, each with its own connection, passed PostgreSQL's max_connections.
    settings = read_settings(monkeypatch, DATABASE_URL="postgres://bench@127.0.0.1:5432/none")
    database = settings["DATABASES"]["default"]
    assert (database["OPTIONS"].get("pool", {}).get("max_size"), database["CONN_MAX_AGE"]) == (16, 0)


def test_a_pool_size_of_0_keeps_a_connection_per_thread(monkeypatch):
    env = {"DATABASE_URL": "postgres://bench@127.0.0.1:5432/none", "DATABASE_POOL_SIZE": "0"}
    database = read_settings(monkeypatch, **env)["DATABASES"]["default"]
    assert (database["OPTIONS"].get("pool", {}).get("max_size"), database["CONN_MAX_AGE"]) == (None, 60)
