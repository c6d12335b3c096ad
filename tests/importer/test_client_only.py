"""The importer is a client of the API only: it loads nothing of the server and no database driver."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support import PROJECT_DIR, SAMPLE_ENTRY
from timesheets.models import Timesheet

# The server's apps and what they bring (DRF, the OAuth provider, the ORM's backends and drivers).
SERVER_PACKAGES = (
    "timesheets",
    "issuer",
    "timesheets_site",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "django_filters",
    "psycopg",
    "psycopg2",
    "sqlite3",
    "_sqlite3",
    "MySQLdb",
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
    "django.db.backends.mysql",
    "django.db.backends.oracle",
)
# Django itself loads its ORM when it sets up any project; importing the importer alone must not.
ORM = ("django.db.models", "django.db.backends")

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import importer
for module in pkgutil.walk_packages(importer.__path__, "importer."):
    importlib.import_module(module.name)
forbidden = json.loads(sys.argv[1])
print(json.dumps(sorted(
    name for name in sys.modules
    if any(name == package or name.startswith(package + ".") for package in forbidden)
)))
"""

# Makes the server's packages unimportable, then runs `manage.py import_timesheets ARGS`.
RUN_WITHOUT_THE_SERVER = """
import importlib.abc, json, runpy, sys
forbidden = json.loads(sys.argv[1])

class ServerCode(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if any(name == package or name.startswith(package + ".") for package in forbidden):
            raise ImportError(f"{name} is not on a machine that only imports")

sys.meta_path.insert(0, ServerCode())
sys.argv = ["manage.py", "import_timesheets", *sys.argv[2:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def _python(
    code: str, forbidden: tuple[str, ...], *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, json.dumps(forbidden), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_DIR,
        timeout=120,
        check=False,
    )


def test_importing_every_importer_module_loads_nothing_of_the_server():
    # No settings at all: importing a module must not need the project's.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    completed = _python(IMPORT_EVERY_MODULE, SERVER_PACKAGES + ORM, env=env)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == []


def test_an_import_runs_where_the_server_code_cannot_be_imported(importer_env, tmp_path):
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps(SAMPLE_ENTRY) + "\n")
    # No DJANGO_SETTINGS_MODULE, as in a crontab: manage.py picks the importer's settings.
    env = {
        name: value
        for name, value in {**os.environ, **importer_env}.items()
        if name != "DJANGO_SETTINGS_MODULE"
    }
    completed = _python(RUN_WITHOUT_THE_SERVER, SERVER_PACKAGES, "--no-progress", str(export), env=env)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-1].startswith("read=1 created=1 ")
    assert Timesheet.objects.filter(user_id="007").count() == 1
