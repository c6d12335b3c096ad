"""Settings read from the environment: safe defaults locally, refusals in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
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


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "OAUTH_", "TIMESHEETS_", "AUTH0_"))
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


def test_production_settings_pass_the_deploy_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr


def test_a_public_host_without_a_public_url_refuses_to_start():
    settings = {name: value for name, value in PRODUCTION.items() if name != "TIMESHEETS_PUBLIC_URL"}
    result = manage("check", **settings)
    assert result.returncode != 0
    assert "TIMESHEETS_PUBLIC_URL is required" in result.stderr


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


def test_a_public_host_without_a_secret_key_refuses_to_start():
    result = manage("check", DJANGO_ALLOWED_HOSTS="timesheets.abc.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


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


def test_hs256_without_its_secret_refuses_to_start():
    result = manage("check", OAUTH_ALGORITHMS="RS256,HS256")
    assert result.returncode != 0
    assert "OAUTH_SIGNING_SECRET" in result.stderr


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


POOL_SETTINGS = (
    "from django.conf import settings; database = settings.DATABASES['default'];"
    "print(database['OPTIONS'].get('pool', {}).get('max_size'), database['CONN_MAX_AGE'])"
)


def test_postgresql_threads_share_a_bounded_pool_of_connections():
    # 256 threads a worker, each with its own connection, passed PostgreSQL's max_connections.
    result = manage(
        "shell", "--no-imports", "-c", POOL_SETTINGS, DATABASE_URL="postgres://bench@127.0.0.1:5432/none"
    )
    assert result.stdout.split() == ["16", "0"], result.stderr


def test_a_pool_size_of_0_keeps_a_connection_per_thread():
    env = {"DATABASE_URL": "postgres://bench@127.0.0.1:5432/none", "DATABASE_POOL_SIZE": "0"}
    result = manage("shell", "--no-imports", "-c", POOL_SETTINGS, **env)
    assert result.stdout.split() == ["None", "60"], result.stderr
