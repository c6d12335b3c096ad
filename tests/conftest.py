"""Shared fixtures: a live API over real HTTP, the embedded issuer, and a stand-in for Auth0.

The stand-in (`local_issuer`) is a real HTTP server on loopback that publishes discovery
metadata and a JWKS and signs tokens with keys the tests hold, so that tests can forge
the hostile tokens an outside issuer never would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.core.cache import cache

from issuer import keys as issuer_keys
from issuer.services import api_client_create
from timesheets import jwks
from timesheets.models import Timesheet

ALL_SCOPES = "read:timesheets create:timesheets delete:timesheets approve:timesheets"
PROJECT_DIR = Path(__file__).resolve().parent.parent
# The scenario's own example entry.
SAMPLE_ENTRY = {
    "user_type": "Employee",
    "user_id": "007",
    "year": 2016,
    "week": 24,
    "project": "StoreZero",
    "hours": 40,
}


_tallies: dict[str, list[int]] = {}


@pytest.fixture
def tally() -> Callable[[str, bool], None]:
    """Counts how many hostile cases a control held, for the figures printed after the run."""

    def record(name: str, held: bool) -> None:
        counts = _tallies.setdefault(name, [0, 0])
        counts[0] += held
        counts[1] += 1

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, (held, total) in sorted(_tallies.items()):
        terminalreporter.write_line(f"{name}: {held}/{total}")


class Api:
    """requests against the live server, with an optional bearer token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def request(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Key caches and throttle counters live for the process; each test starts without them."""
    jwks.forget_key_sets()
    issuer_keys.forget_public_keys()
    cache.clear()
    yield
    jwks.forget_key_sets()
    issuer_keys.forget_public_keys()


@pytest.fixture
def api(live_server, transactional_db) -> Api:
    return Api(live_server.url)


@pytest.fixture
def entry() -> Callable[..., dict[str, Any]]:
    """A valid entry as a client sends it, with any field overridden."""

    def make(**overrides: Any) -> dict[str, Any]:
        return {**SAMPLE_ENTRY, **overrides}

    return make


@pytest.fixture
def timesheet(transactional_db) -> Timesheet:
    return Timesheet.objects.create(
        user_type="Contractor",
        user_id="c-42",
        year=2024,
        week=10,
        project="Atlas",
        hours=Decimal("12.50"),
        created_by="seed",
    )


# --- The embedded issuer ---------------------------------------------------------------


@pytest.fixture
def api_client(transactional_db) -> Callable[..., tuple[str, str]]:
    """Registers a client with the embedded issuer; returns (client_id, client_secret)."""

    def register(scopes: str = ALL_SCOPES, name: str = "test client") -> tuple[str, str]:
        created = api_client_create(name=name, scopes=scopes.split())
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


class LoopbackServer:
    """An HTTP server on a free loopback port, serving from a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_port
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        ).start()

    def stop(self) -> None:
        # shutdown() waits for serve_forever to notice; bounded, so that no server thread
        # can hang the suite's teardown (seen once in CI).
        stopper = threading.Thread(target=self._server.shutdown, daemon=True)
        stopper.start()
        stopper.join(timeout=5)
        self._server.server_close()


class LocalIssuer:
    """An outside issuer on loopback: discovery and JWKS over real HTTP, and a signer."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {"key-1": _rsa_key()}
        self.up = True
        self.jwks_requests = 0
        self._server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self._server.port}/"

    def stop(self) -> None:
        self._server.stop()

    def add_key(self, kid: str) -> None:
        self.keys[kid] = _rsa_key()

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {
                    **jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
                    "kid": kid,
                    "use": "sig",
                }
                for kid, key in self.keys.items()
            ]
        }

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "outside-client@clients",
            "azp": "outside-client",
            "aud": django_settings.OAUTH_AUDIENCE,
            "iat": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
            "scope": ALL_SCOPES,
            "gty": "client-credentials",
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(self, kid: str = "key-1", headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A token signed RS256 with key `kid`; claims set to None are left out."""
        return jwt.encode(
            self.claims(**claims), self.keys[kid], algorithm="RS256", headers={"kid": kid, **(headers or {})}
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if not issuer.up:
                    self.send_error(503)
                    return
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "keys"}
                elif self.path == "/keys":
                    issuer.jwks_requests += 1
                    body = issuer.jwks()
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def unsigned_token(claims: dict[str, Any], header: dict[str, Any]) -> str:
    """A JWT assembled by hand, for tokens no library will sign (alg none, HS256 keyed with a PEM)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def hs256_token(claims: dict[str, Any], secret: bytes, header: dict[str, Any] | None = None) -> str:
    signing_input = unsigned_token(claims, {"alg": "HS256", "typ": "JWT", **(header or {})})
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


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


@dataclass
class ImportRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, int]:
        last = self.stdout.strip().splitlines()[-1]
        return {name: int(count) for name, count in (pair.split("=") for pair in last.split())}

    @property
    def rejects(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]


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


@pytest.fixture
def run_import(importer_env) -> Callable[..., ImportRun]:
    """Runs `manage.py import_timesheets` in its own process, as cron would."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> ImportRun:
        environment = {**os.environ, **importer_env, **(env or {})}
        environment = {name: value for name, value in environment.items() if value is not None}
        completed = subprocess.run(
            [sys.executable, "manage.py", "import_timesheets", "--no-progress", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            cwd=PROJECT_DIR,
            timeout=300,
            check=False,
        )
        return ImportRun(completed.returncode, completed.stdout, completed.stderr)

    return run


class FaultyProxy:
    """A reverse proxy on loopback in front of the live API that can fail on cue.

    It produces what a real network and a real outage produce (refused answers, 429s and
    503s with Retry-After, dropped connections, garbage bodies) for the requests whose path
    starts with `path`; everything else passes through untouched.
    """

    def __init__(self, upstream: str, path: str = "/timesheets/batch") -> None:
        self.upstream = upstream
        self.path = path
        self.faults: list[tuple[str, Any]] = []  # consumed one per matching request
        self.down = False  # every matching request is dropped while set
        self.down_after: int | None = None  # or once this many matching requests went through
        self.seen: list[float] = []  # arrival times of matching requests
        self._server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self._server.port}"

    def stop(self) -> None:
        self._server.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = None
                if self.path.startswith(proxy.path):
                    proxy.seen.append(time.monotonic())
                    fault = proxy.faults.pop(0) if proxy.faults else None
                    if proxy.down_after is not None and len(proxy.seen) > proxy.down_after:
                        proxy.down = True
                    if proxy.down or fault == ("drop", None):
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if fault is not None:
                        kind, value = fault
                        if kind == "status":
                            status, retry_after = value
                            self._answer(
                                status, b'{"detail": "try later"}', {"Retry-After": str(retry_after)}
                            )
                            return
                        if kind == "garbage":
                            self._answer(200, b"<html>not json", {})
                            return
                headers = {name: value for name, value in self.headers.items() if name.lower() != "host"}
                upstream = requests.request(
                    self.command, proxy.upstream + self.path, headers=headers, data=body, timeout=60
                )
                passed = {"Content-Type": upstream.headers.get("Content-Type", "application/json")}
                if fault is not None and fault[0] == "stall":  # done upstream, answered too late
                    time.sleep(fault[1])
                self._answer(upstream.status_code, upstream.content, passed)

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _relay

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def faulty_api(api: Api, importer_env) -> Iterator[FaultyProxy]:
    """The importer talks to the API through a proxy that fails on cue."""
    proxy = FaultyProxy(api.base_url)
    importer_env["TIMESHEETS_API_URL"] = proxy.url
    yield proxy
    proxy.stop()
