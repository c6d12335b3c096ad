"""Without Redis, every gunicorn worker sees the same lockout counts and the same client status.

The point is several processes, so this runs the production server (two workers) over HTTP.
Each request opens a new connection, so the kernel hands requests to either worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from tests.support import PROJECT_DIR, Gunicorn

pytestmark = pytest.mark.xdist_group("shared-by-workers")  # one worker: the module's fixtures start once

LIMIT = 5


def manage(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[Gunicorn, dict[str, str]]]:
    database = tmp_path_factory.mktemp("shared") / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "OAUTH_CLIENT_AUTH_FAILURE_LIMIT": str(LIMIT),
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, as served
    manage(env, "migrate", "--noinput")
    server = Gunicorn(env, workers=2)
    yield server, env
    server.stop()


def new_client(env: dict[str, str], name: str) -> dict[str, str]:
    return json.loads(manage(env, "create_api_client", name, "--scopes", "read:timesheets", "--json"))


def token_request(server: Gunicorn, client_id: str, secret: str) -> requests.Response:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return requests.post(server.url + "/oauth/token", data=data, timeout=10)


def test_the_first_429_comes_right_after_the_limit_and_stays(served):
    server, env = served
    credentials = new_client(env, "guessed")
    statuses = [
        token_request(server, credentials["client_id"], "wrong").status_code for _ in range(LIMIT * 3)
    ]
    assert statuses == [401] * LIMIT + [429] * (LIMIT * 2)


def test_a_disabled_client_is_refused_by_every_worker_at_once(served):
    server, env = served
    credentials = new_client(env, "disabled")
    access = token_request(server, credentials["client_id"], credentials["client_secret"]).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {access}"}
    # Every worker has read the client as active (and cached it) before it is disabled.
    assert {
        requests.get(server.url + "/timesheets", headers=headers, timeout=10).status_code for _ in range(8)
    } == {200}
    manage(env, "disable_api_client", credentials["client_id"])
    statuses = {
        requests.get(server.url + "/timesheets", headers=headers, timeout=10).status_code for _ in range(8)
    }
    assert statuses == {401}
