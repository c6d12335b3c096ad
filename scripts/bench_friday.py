"""`make bench`, a company on a Friday afternoon: 100 people list their week and add five entries.

Each person's app lists the person's ISO week (`GET /timesheets?year=&week=`), then adds
five entries, one request each, on a connection of its own. The same work is done side by
side with a client's own token (naming each person in the filter and the entries), so that
what a person's token costs (finding the person, the rules) shows against a client's. Two
arrivals: spread evenly over 10 s, and all at once. Per run: p50 and p99 of every request,
wall time from the first arrival to the last answer, requests per second, and errors (any
answer but 200 or 201, or none).

People's tokens are signed with the embedded issuer's current key, as its authorization
code flow signs them (`sub` the person's subject, `client_id`/`azp` the app, no `gty`).
`friday_afternoon` is what scripts/bench.py calls on PostgreSQL; run alone
(`python scripts/bench_friday.py`) it starts its own issuer and API under gunicorn on a
fresh PostgreSQL database (BENCH_POSTGRES_URL's server, database `timesheets_bench_friday`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
PEOPLE, ENTRIES, SPREAD_SECONDS = 100, 5, 10
YEAR = 2026
ARRIVALS = {"over 10 s": SPREAD_SECONDS, "all at once": 0}
PERSON_SCOPES = "read:timesheets create:timesheets"


# --- people and their tokens (run in a child process, against the bench's database) -------


def mint_people_tokens(issuer_url: str, count: int) -> list[dict[str, str]]:
    """`bench_friday.py mint ISSUER_URL N`: N employees, one app, and the app's token for each."""
    import uuid

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timesheets_site.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    django.setup()
    import jwt
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from issuer import keys
    from issuer.models import ApiClient
    from people.models import Person

    app, _ = ApiClient.objects.get_or_create(
        name="Timesheets web (bench)",
        defaults={
            "client_type": ApiClient.CLIENT_PUBLIC,
            "authorization_grant_type": ApiClient.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": "http://127.0.0.1/callback",
        },
    )
    key = keys.current_signing_key()
    now = int(time.time())
    minted = []
    for n in range(count):
        account, _ = get_user_model().objects.get_or_create(username=f"friday-{n:03d}")
        person, _ = Person.objects.get_or_create(
            account=account, defaults={"user_type": "Employee", "user_id": f"friday-{n:03d}"}
        )
        claims = {
            "iss": issuer_url,
            "sub": person.subject,
            "aud": settings.OAUTH_AUDIENCE,
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            "client_id": app.client_id,
            "azp": app.client_id,
            "scope": PERSON_SCOPES,
        }
        token = jwt.encode(
            claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
        )
        minted.append({"user_id": person.user_id, "token": token})
    return minted


def people_tokens(env: dict[str, str], issuer_url: str) -> list[dict[str, str]]:
    command = [sys.executable, __file__, "mint", issuer_url, str(PEOPLE)]
    output = subprocess.run(command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout)


# --- the afternoon ---------------------------------------------------------------------------


def one_caller(api_url: str, token: str, user_id: str, named: bool, week: int, start: float) -> list:
    """A person's afternoon: their week, then five entries. [(seconds, ok), ...] per request."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    whose = {"user_type": "Employee", "user_id": user_id} if named else {}
    timings = []

    def timed(method: str, path: str, **kwargs: Any) -> None:
        began = time.perf_counter()
        try:
            ok = session.request(method, api_url + path, timeout=60, **kwargs).status_code in (200, 201)
        except requests.RequestException:
            ok = False
        timings.append((time.perf_counter() - began, ok))

    time.sleep(max(0.0, start - time.perf_counter()))
    timed("GET", "/timesheets", params={"year": YEAR, "week": week, **whose})
    for n in range(ENTRIES):
        entry = {"year": YEAR, "week": week, "project": f"Friday {n}", "hours": 1.5, **whose}
        timed("POST", "/timesheets", json=entry)
    session.close()
    return timings


def one_run(api_url: str, callers: list[tuple[str, str]], named: bool, week: int, spread: float) -> dict:
    """Every caller's afternoon, arriving evenly over `spread` seconds (0: all at once)."""
    ready = time.perf_counter() + 1.0  # threads started before the first arrival
    step = spread / len(callers)
    with ThreadPoolExecutor(max_workers=len(callers)) as pool:
        futures = [
            pool.submit(one_caller, api_url, token, user_id, named, week, ready + n * step)
            for n, (user_id, token) in enumerate(callers)
        ]
        timings = [timing for future in futures for timing in future.result()]
    wall = time.perf_counter() - ready
    seconds = sorted(elapsed for elapsed, _ in timings)
    return {
        "requests": len(timings),
        "p50_ms": statistics.median(seconds) * 1000,
        "p99_ms": seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))] * 1000,
        "wall_seconds": wall,
        "requests_per_second": len(timings) / wall,
        "errors": sum(not ok for _, ok in timings),
    }


def friday_afternoon(env: dict[str, str], api_url: str, issuer_url: str, client_token: str) -> dict:
    """People's tokens and a client's token side by side, for each arrival; a week of its own each."""
    people = [(minted["user_id"], minted["token"]) for minted in people_tokens(env, issuer_url)]
    clients = [(user_id, client_token) for user_id, _ in people]
    results: dict[str, Any] = {"people": PEOPLE, "entries_each": ENTRIES}
    week = 1
    for arrival, spread in ARRIVALS.items():
        for kind, callers, named in (("person", people, False), ("client", clients, True)):
            run = one_run(api_url, callers, named, week, spread)
            results[f"{kind}, {arrival}"] = run
            week += 1
            print(
                f"    {kind} tokens, {arrival}: p50 {run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms, "
                f"{run['wall_seconds']:.1f} s, {run['requests_per_second']:.0f} requests/s, "
                f"{run['errors']} errors",
                flush=True,
            )
    return results


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The afternoon's rows of the performance table: people beside clients, per arrival."""
    if not results:
        return []

    def figure(run: dict[str, Any]) -> str:
        return (
            f"p50 {run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms, {run['wall_seconds']:.1f} s, "
            f"{run['requests_per_second']:.0f} req/s, {run['errors']} errors"
        )

    requests_each = 1 + results["entries_each"]
    return [
        (
            f"Friday afternoon: {results['people']} people list their week and add "
            f"{results['entries_each']} entries ({requests_each} requests each), arriving {arrival}",
            f"people's tokens: {figure(results[f'person, {arrival}'])}; "
            f"a client's token: {figure(results[f'client, {arrival}'])}",
            "",
        )
        for arrival in ARRIVALS
    ]


# --- run alone --------------------------------------------------------------------------------


def _postgres(url: str, *statements: str) -> None:
    import psycopg

    parts = urlparse(url)
    with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as connection:
        for statement in statements:
            connection.execute(f'{statement} "{parts.path.lstrip("/")}"')


def main() -> int:
    from servers import free_port, start_gunicorn

    server_url = os.getenv("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/timesheets_bench")
    database_url = urlunparse(urlparse(server_url)._replace(path="/timesheets_bench_friday"))
    _postgres(database_url, "DROP DATABASE IF EXISTS", "CREATE DATABASE")
    issuer_port, api_port = free_port(), free_port()
    issuer_url, api_url = f"http://127.0.0.1:{issuer_port}/", f"http://127.0.0.1:{api_port}"
    env = {**os.environ, "DATABASE_URL": database_url}
    api_env = {**env, "OAUTH_ISSUER": issuer_url, "TIMESHEETS_THROTTLE_RATE": "1000000/min"}
    servers: list[subprocess.Popen] = []
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput"], cwd=PROJECT_DIR, env=env, check=True, capture_output=True
        )
        created = subprocess.run(
            [*manage, "create_api_client", "bench", "--scopes", PERSON_SCOPES, "--json"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        credentials = json.loads(created.stdout)
        servers.append(start_gunicorn(issuer_port, 1, env))
        servers.append(start_gunicorn(api_port, 2, api_env))
        response = requests.post(
            issuer_url + "oauth/token",
            data={"grant_type": "client_credentials", **credentials},
            timeout=10,
        )
        response.raise_for_status()
        print("a company on a Friday afternoon (PostgreSQL, gunicorn with 2 workers):", flush=True)
        results = friday_afternoon(env, api_url, issuer_url, response.json()["access_token"])
        print("\n".join("| " + " | ".join(row) + " |" for row in table_rows(results)))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        _postgres(database_url, "DROP DATABASE IF EXISTS")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["mint"]:
        json.dump(mint_people_tokens(sys.argv[2], int(sys.argv[3])), sys.stdout)
        sys.exit(0)
    sys.exit(main())
