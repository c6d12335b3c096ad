"""Shared fixtures: the API in process and over real HTTP, the embedded issuer, and a stand-in for Auth0.

`app` calls the API in this process (DRF's APIClient, each test in a transaction rolled
back after it): the default. `api` is the live server over HTTP, for what only a network
shows: the importer, gunicorn, browsers, outages, two writers at once.

The stand-in (`local_issuer`) is a real HTTP server on loopback that publishes discovery
metadata and a JWKS and signs tokens with keys the tests hold, so that tests can forge
the hostile tokens an outside issuer never would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test.testcases import QuietWSGIRequestHandler

from issuer import keys as issuer_keys
from issuer import shared_cache
from issuer.models import SigningKey
from timesheets import jwks
from timesheets.models import Timesheet

from .browsers import SharedChromium
from .factories import ApiClientFactory, TimesheetFactory
from .samples import ALL_SCOPES, SAMPLE_ENTRY
from .support.clients import Api, InProcessApi
from .support.flush import keep_content_types_across_flushes, make_content_types_as_django_does
from .support.importing import FaultyProxy, ImportRun, run_import_in_process, run_process
from .support.tokens import LocalIssuer

# The live server writes an answer's status line, headers and body apart; with Nagle's algorithm
# on, the client's delayed ACK then held nearly every answer about 40 ms (an API call: 45 ms,
# 1.5 ms without; /admin/login/: 51 ms, 5.5 ms without).
QuietWSGIRequestHandler.disable_nagle_algorithm = True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need no database first, then Django's order: rolled-back tests before the
    live server's, whose flush empties what `migrate` left; of those, the browser tests first.

    pytest-django puts tests without a database last. There the longest of them (the fast
    path's 3,000 examples, a gunicorn started and stopped) ran while the other worker had
    nothing left to do; so did the browser tests that wait out a token's lifetime. Short
    tests last let both workers finish together: a test marked `slow` goes first in its
    phase. The sort is stable: within that, the order stays.
    """
    items.sort(key=lambda item: (_phase(item), item.get_closest_marker("slow") is None))


def _phase(item: pytest.Item) -> int:
    fixtures = getattr(item, "fixturenames", ())
    if "live_server" in fixtures or "transactional_db" in fixtures:
        return 2 if item.get_closest_marker("browser") else 3
    if "_django_db_helper" in fixtures or item.get_closest_marker("django_db"):
        return 1
    return 0


_tallies: dict[str, list[int]] = {}


@pytest.fixture
def tally() -> Callable[[str, bool], bool]:
    """Counts how many hostile cases a control held, for the figures printed after the run.

    It records the very condition the test asserts and hands it back, so a test writes
    `assert tally(name, condition)`: a case that fails counts as not held, and the figure
    can read below 100%.
    """

    def record(name: str, held: bool) -> bool:
        counts = _tallies.setdefault(name, [0, 0])
        counts[0] += bool(held)
        counts[1] += 1
        return held

    return record


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under pytest-xdist (`make test` runs two workers) each worker hands its counts to the
    # controller, which prints the sums.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["tallies"] = _tallies


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    for name, (held, total) in getattr(node, "workeroutput", {}).get("tallies", {}).items():
        counts = _tallies.setdefault(name, [0, 0])
        counts[0] += held
        counts[1] += total


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, (held, total) in sorted(_tallies.items()):
        terminalreporter.write_line(f"{name}: {held}/{total}")


@pytest.fixture(autouse=True)
def _fresh_process_caches(request: pytest.FixtureRequest) -> Iterator[None]:
    """Key caches and throttle counters live for the process; each test starts without them.

    The shared cache (lockout counts, client status) is a database table outside the models,
    so a flush leaves it: a test with database access empties it first.
    """
    jwks.forget_key_sets()
    issuer_keys.forget_public_keys()
    cache.clear()
    if "_django_db_helper" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        shared_cache.cache.clear()
    yield
    jwks.forget_key_sets()
    issuer_keys.forget_public_keys()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, migrated; each flush then puts back the content types
    and permissions `migrate` made instead of making them again (tests/support/flush.py)."""
    with django_db_blocker.unblock():
        kept = keep_content_types_across_flushes()
    yield
    make_content_types_as_django_does(kept)


@pytest.fixture
def app(db) -> InProcessApi:
    """The API in this process, with the embedded issuer that `app.token()` asks."""
    return InProcessApi()


@pytest.fixture
def app_token(app: InProcessApi) -> str:
    """A token holding all four scopes, from the embedded issuer, that `app` accepts."""
    return app.token()


@pytest.fixture
def api(live_server, transactional_db) -> Api:
    """The live server over HTTP, its database emptied after each test.

    The emptying takes the issuer's signing key too, and making a new one costs about 40 ms
    of CPU: the process's first key is put back instead, as `migrate` would have left one.
    """
    _put_back_signing_key()
    return Api(live_server.url)


_kept_signing_key: list[tuple[str, str]] = []  # (kid, sealed PEM), the first one this process made


def _put_back_signing_key() -> None:
    if not _kept_signing_key:
        key = issuer_keys.current_signing_key()
        _kept_signing_key.append((key.kid, key.private_key_sealed))
    kid, sealed = _kept_signing_key[0]
    SigningKey.objects.get_or_create(kid=kid, defaults={"private_key_sealed": sealed})


@pytest.fixture
def entry() -> Callable[..., dict[str, Any]]:
    """A valid entry as a client sends it, with any field overridden."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**SAMPLE_ENTRY, **overrides}

    return make


@pytest.fixture
def timesheet(db) -> Timesheet:
    """A stored entry unlike the sample that tests post, so that the two are told apart."""
    return TimesheetFactory.create(
        user_type="Contractor", user_id="c-42", year=2024, week=10, project="Atlas", hours=Decimal("12.50")
    )


# --- The embedded issuer ---------------------------------------------------------------


@pytest.fixture
def api_client(db) -> Callable[..., tuple[str, str]]:
    """Registers a client with the embedded issuer; returns (client_id, client_secret)."""

    def register(scopes: str = ALL_SCOPES, name: str = "test client") -> tuple[str, str]:
        created = ApiClientFactory.create(name=name, scopes=scopes.split())
        return created.client.client_id, created.client_secret

    return register


@pytest.fixture
def embedded_token(api: Api, api_client) -> Callable[[str], str]:
    """An access token fetched from the live /oauth/token for a new client with these scopes."""

    def fetch(scopes: str = ALL_SCOPES) -> str:
        client_id, client_secret = api_client(scopes)
        response = api.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    return fetch


# --- A stand-in for Auth0 --------------------------------------------------------------


@pytest.fixture
def local_issuer(settings) -> Iterator[LocalIssuer]:
    """The API configured to trust an outside issuer, as in production with Auth0."""
    issuer = LocalIssuer()
    settings.OAUTH_ISSUER = issuer.url
    yield issuer
    issuer.stop()


@pytest.fixture
def token(local_issuer: LocalIssuer) -> str:
    """A valid token holding all four scopes."""
    return local_issuer.token()


# --- The importer, run as cron runs it --------------------------------------------------


@pytest.fixture
def importer_env(api: Api, api_client, tmp_path) -> dict[str, str]:
    """The environment of a cron job holding a client that may create timesheets."""
    client_id, client_secret = api_client("create:timesheets", name="import job")
    return {
        "TIMESHEETS_API_URL": api.base_url,
        "OAUTH_CLIENT_ID": client_id,
        "OAUTH_CLIENT_SECRET": client_secret,
        "TIMESHEETS_CACHE_DIR": str(tmp_path / "cache"),
    }


def _importer_environment(importer_env: dict[str, str], env: dict[str, str | None] | None) -> dict[str, str]:
    """The test process's environment, the job's, then the test's own (None removes a name)."""
    environment = {**os.environ, **importer_env, **(env or {})}
    # As in a crontab: manage.py, not pytest's setting, picks the importer's settings.
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return {name: value for name, value in environment.items() if value is not None}


@pytest.fixture
def run_import(importer_env) -> Callable[..., ImportRun]:
    """Runs `manage.py import_timesheets` in this process, against the live API over HTTP."""

    def run(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None) -> ImportRun:
        return run_import_in_process(
            ["--no-progress", *args], env=_importer_environment(importer_env, env), stdin=stdin
        )

    return run


@pytest.fixture
def run_import_process(importer_env) -> Callable[..., ImportRun]:
    """Runs `manage.py import_timesheets` in its own process, as cron would: for what only a
    whole process shows (its settings, its peak memory, two runs racing)."""

    def run(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None) -> ImportRun:
        return run_process(
            [sys.executable, "manage.py", "import_timesheets", "--no-progress", *args],
            env=_importer_environment(importer_env, env),
            stdin=stdin,
        )

    return run


@pytest.fixture
def faulty_api(api: Api, importer_env) -> Iterator[FaultyProxy]:
    """The importer talks to the API through a proxy that fails on cue."""
    proxy = FaultyProxy(api.base_url)
    importer_env["TIMESHEETS_API_URL"] = proxy.url
    yield proxy
    proxy.stop()


# --- A real browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_chromium() -> Iterator[SharedChromium]:
    """One Chromium for the session's browser tests: each start costs about a second of CPU."""
    chromium = SharedChromium()
    yield chromium
    chromium.quit()


@pytest.fixture
def browser(shared_chromium: SharedChromium, api: Api) -> Iterator[Any]:
    """The session's Chromium as new (no cookie, storage or emulation left), for the live server.

    It asks for `api` so that it is put down first: the page it leaves is blanked before the
    test's data is flushed.
    """
    yield shared_chromium.fresh(api.base_url)
    shared_chromium.leave()
