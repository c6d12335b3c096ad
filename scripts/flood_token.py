"""`make bench-flood`: a wrong-secret flood at /oauth/token, and what a legitimate client sees.

As SECURITY.md ("Exhausting the CPU through `/oauth/token`") records, 32 threads posting a
real client id with a wrong secret took a token request to 12 s and the API's median read
from 7 ms to 448 ms, because each wrong secret cost a PBKDF2 check. This starts gunicorn
(two workers, production settings, a fresh SQLite database in a temporary folder, loopback
only) and floods it for FLOOD_SECONDS with 32 threads, each request from a new forwarded
address (TIMESHEETS_TRUSTED_PROXIES=1), so no lockout ever stops it and every request
reaches a secret check: the worst case. Meanwhile a legitimate client asks for a token and
reads the API from an address of its own, and its latencies are printed. Two rounds: the
flooded client's secret under the current hasher, then under PBKDF2 (a secret stored before
issuer/hashers.py, not yet rehashed on use), where the bound on concurrent checks
(issuer/client_secrets.py) is what holds.

Exit status 1 when the legitimate token request's worst time reaches one second.
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TypedDict

import requests
from servers import PROJECT_DIR, start_gunicorn

FLOOD_SECONDS = float(os.getenv("FLOOD_SECONDS", "12"))
FLOOD_THREADS = 32
LIMIT_SECONDS = 1.0
LEGITIMATE_ADDRESS = "192.0.2.10"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


def make_legacy(env: dict[str, str], client_id: str, secret: str) -> None:
    """Stores the client's secret as PBKDF2, as every secret was before the current hasher."""
    code = (
        "from django.contrib.auth.hashers import make_password;"
        "from issuer.models import ApiClient;"
        f"ApiClient.objects.filter(client_id={client_id!r})"
        f".update(client_secret=make_password({secret!r}, hasher='pbkdf2_sha256'))"
    )
    manage(env, "shell", "-c", code)


def quiet_gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn with its standard error (a warning per refused request) in a file, not on screen."""
    saved = os.dup(2)
    with log.open("w") as file:
        os.dup2(file.fileno(), 2)
        try:
            return start_gunicorn(port, 2, env)
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def flood(url: str, client_id: str, stop: threading.Event, statuses: Counter) -> None:
    session = requests.Session()
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "x"}
    while not stop.is_set():
        address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311 (not a secret)
        try:
            response = session.post(url, data=data, headers={"X-Forwarded-For": address}, timeout=30)
            statuses[response.status_code] += 1
        except requests.RequestException:
            statuses["error"] += 1


def legitimate(base: str, client_id: str, secret: str, stop: threading.Event) -> dict[str, list[float]]:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = LEGITIMATE_ADDRESS
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    times: dict[str, list[float]] = {"token": [], "read": [], "refused": []}
    while not stop.is_set():
        started = time.perf_counter()
        response = session.post(base + "/oauth/token", data=data, timeout=30)
        times["token"].append(time.perf_counter() - started)
        if response.status_code != 200:
            times["refused"].append(response.status_code)
            stop.wait(0.5)
            continue
        headers = {"Authorization": "Bearer " + response.json()["access_token"]}
        for _ in range(5):
            started = time.perf_counter()
            session.get(base + "/timesheets", headers=headers, timeout=30).raise_for_status()
            times["read"].append(time.perf_counter() - started)
        stop.wait(0.5)
    return times


class Round(TypedDict):
    """One flood's measures, as the summary line prints them."""

    token_median_ms: float
    token_worst_ms: float
    read_median_ms: float
    token_requests: int
    token_refused: int
    flood_answers: dict[str, int]


def round_(base: str, flooded: str, legitimate_client: tuple[str, str]) -> Round:
    stop = threading.Event()
    statuses: Counter = Counter()
    attackers = [
        threading.Thread(target=flood, args=(base + "/oauth/token", flooded, stop, statuses), daemon=True)
        for _ in range(FLOOD_THREADS)
    ]
    for thread in attackers:
        thread.start()
    time.sleep(1)  # the flood at full strength before the first measure
    timer = threading.Timer(FLOOD_SECONDS - 1, stop.set)
    timer.start()
    times = legitimate(base, *legitimate_client, stop)
    for thread in attackers:
        thread.join()
    return {
        "token_median_ms": round(statistics.median(times["token"]) * 1000, 1),
        "token_worst_ms": round(max(times["token"]) * 1000, 1),
        "read_median_ms": round(statistics.median(times["read"]) * 1000, 1),
        "token_requests": len(times["token"]),
        "token_refused": len(times["refused"]),
        "flood_answers": dict(sorted((str(key), value) for key, value in statuses.items())),
    }


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="timesheets-flood-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'flood.sqlite3'}",
        "TIMESHEETS_TRUSTED_PROXIES": "1",
        "TIMESHEETS_THROTTLE_RATE": "1000000/min",
    }
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--noinput")
    clients = [
        json.loads(manage(env, "create_api_client", name, "--scopes", "read:timesheets", "--json"))
        for name in ("flooded", "legitimate", "flooded-pbkdf2")
    ]
    flooded, legit, flooded_pbkdf2 = ((c["client_id"], c["client_secret"]) for c in clients)
    make_legacy(env, *flooded_pbkdf2)
    port = _free_port()
    server = quiet_gunicorn(port, env, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        for name, target in (("current hasher", flooded[0]), ("PBKDF2 secret", flooded_pbkdf2[0])):
            result = round_(base, target, legit)
            worst = result["token_worst_ms"]
            failed |= worst >= LIMIT_SECONDS * 1000 or result["token_refused"] > 0
            print(
                f"{FLOOD_THREADS}-thread wrong-secret flood, {FLOOD_SECONDS:.0f} s, flooded secret under "
                f"{name}: legitimate token median {result['token_median_ms']} ms, worst {worst} ms "
                f"({result['token_requests']} requests, {result['token_refused']} refused); "
                f"API read median {result['read_median_ms']} ms; "
                f"flood answered {result['flood_answers']}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("FAIL: a legitimate token was refused or took 1 s or more" if failed else "ok: all under 1 s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
