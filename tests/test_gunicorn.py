"""The production stack as shipped: gunicorn with gunicorn.conf.py, in its own process, over real HTTP."""

from __future__ import annotations

import gc
import runpy
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import requests

from tests.support.paths import PROJECT_DIR
from tests.support.servers import Gunicorn, HangingProxy, SlowClients
from tests.support.tokens import LocalIssuer

pytestmark = pytest.mark.xdist_group("gunicorn")  # one worker: the module's fixtures start once


@pytest.fixture(scope="module")
def server(tmp_path_factory, hung_database_server_starting) -> Iterator[Gunicorn]:
    """The API on a SQLite file of its own; /healthz needs no tables.

    It sets the hung database's server starting too, so that that start, mostly waiting, runs
    meanwhile.
    """
    database = tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"
    server = Gunicorn({"DATABASE_URL": f"sqlite:///{database}"})
    yield server
    server.stop()


def timed_get(url: str, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=10, **kwargs)
    return response, time.monotonic() - started


def test_healthz_answers_within_a_second_while_200_slow_clients_hold_connections(server):
    slow = SlowClients(server.port, 200, interval=0.5)
    try:
        time.sleep(1.25)  # every connection has sent its request line and two header lines
        latencies = []
        for _ in range(5):
            response, elapsed = timed_get(server.url + "/healthz")
            assert response.status_code == 200
            latencies.append(elapsed)
        assert slow.open_count() == 200  # the server did not just drop them
    finally:
        slow.stop()
    assert max(latencies) < 1.0, latencies


def test_a_100_kb_token_is_refused_by_the_server_before_the_app(server, tally):
    issuer = LocalIssuer()
    try:
        token = issuer.token(padding="x" * 100_000)
    finally:
        issuer.stop()
    response = requests.post(
        server.url + "/timesheets", headers={"Authorization": f"Bearer {token}"}, json={}, timeout=10
    )
    # gunicorn's limit_request_field_size, 8 KB: Request Header Fields Too Large.
    assert tally("hostile tokens refused", response.status_code == 431), response.status_code


@pytest.fixture(scope="module")
def hung_database_server_starting() -> Iterator[Future[Gunicorn]]:
    """The API whose PostgreSQL sits behind a network that accepts and never answers, started
    on a thread of its own: a start that spends some 3 s waiting on that database (each
    worker's start-up check of the signing keys, then the first /healthz) while other tests run.
    """
    proxy = HangingProxy()
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/timesheets",
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    with ThreadPoolExecutor(max_workers=1) as starter:
        starting = starter.submit(Gunicorn, env, healthy=False)
        yield starting
    if starting.exception() is None:  # one that failed to start stopped itself
        starting.result().stop()
    proxy.stop()


@pytest.fixture(scope="module")
def hung_database_server(hung_database_server_starting: Future[Gunicorn]) -> Gunicorn:
    return hung_database_server_starting.result()


def test_healthz_answers_503_within_2_seconds_when_the_database_hangs(hung_database_server):
    for _ in range(3):  # the first probe, and those while its check still hangs
        response, elapsed = timed_get(hung_database_server.url + "/healthz")
        assert (response.status_code, response.json()) == (503, {"status": "unavailable"})
        assert elapsed < 2.0


def test_an_api_request_fails_fast_with_a_503_json_body_when_the_database_hangs(hung_database_server):
    issuer = LocalIssuer()
    try:
        token = issuer.token()  # an RS256 token with a kid: its key is looked up in the database
    finally:
        issuer.stop()
    response, elapsed = timed_get(
        hung_database_server.url + "/timesheets", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The database is unavailable; try again later."}
    assert elapsed < 5.0  # DATABASE_CONNECT_TIMEOUT, 2 s, and a margin


def test_the_token_endpoint_fails_fast_with_a_503_json_body_when_the_database_hangs(hung_database_server):
    started = time.monotonic()
    response = requests.post(
        hung_database_server.url + "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "import", "client_secret": "s3cret"},
        timeout=10,
    )
    assert response.status_code == 503
    assert response.json() == {"detail": "The database is unavailable; try again later."}
    assert time.monotonic() - started < 5.0


def test_a_worker_collects_young_garbage_less_often_than_python_does(monkeypatch):
    config = runpy.run_path(str(PROJECT_DIR / "gunicorn.conf.py"))
    calls: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *thresholds: calls.append(thresholds))
    config["post_fork"](None, None)
    [(young, *older)] = calls
    assert young >= 10_000 and older == list(gc.get_threshold()[1:])
