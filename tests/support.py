"""Helpers the tests import: loopback servers, an outside issuer, token forgers, the importer's run.

They live here rather than in conftest.py, as pytest advises, so that a test imports them by
name; conftest.py keeps the fixtures that build them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.core.management import load_command_class

from common.logs import LOG_FORMAT, UtcFormatter
from scripts.servers import LoopbackServer, free_port, start_gunicorn

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


def validated_entry(**overrides: Any) -> dict[str, Any]:
    """The scenario's entry as the serializer hands it to the services: hours a Decimal, keyed."""
    return {**SAMPLE_ENTRY, "hours": Decimal("40.00"), "external_id": "k-1", **overrides}


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


@dataclass
class ImportRun:
    exit_code: int
    stdout: str
    stderr: str
    peak_rss_mb: float = 0.0  # of the process itself, from the kernel's accounting

    @property
    def summary(self) -> dict[str, int]:
        last = self.stdout.strip().splitlines()[-1]
        return {name: int(count) for name, count in (pair.split("=") for pair in last.split())}

    @property
    def rejects(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]


# Linux counts in a process's peak RSS the memory of the process it was forked from, so the
# command is started from a small Python that forks it and reports the command's own peak.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(command: list[str], *, env: dict[str, str], stdin: str | None = None) -> ImportRun:
    """Runs a command to its end in the project folder; its output and its own peak memory."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, peak.name, *command],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            text=True,
            env=env,
            cwd=PROJECT_DIR,
        )
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        watchdog = threading.Timer(300, process.kill)  # a hung run fails its test, not the suite
        watchdog.start()
        try:
            process.wait()
        finally:
            watchdog.cancel()
        out.seek(0)
        err.seek(0)
        return ImportRun(process.returncode, out.read(), err.read(), int(peak.read() or 0) / 1024)


def run_import_in_process(args: list[str], *, env: dict[str, str], stdin: str | None = None) -> ImportRun:
    """Runs `manage.py import_timesheets ARGS` in this process, as manage.py would run it.

    The command parses its arguments, runs and exits through `run_from_argv`, as from cron,
    with `env` as the whole environment and its own standard streams. Its log records (the
    "importer" loggers, from any of its threads) go to its standard error in the shipped
    format; the live server's records do not. What an own process adds
    (start-up, peak memory, the settings manage.py picks) is run_process's to test.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    handler = logging.StreamHandler(stderr)
    handler.setFormatter(UtcFormatter(LOG_FORMAT))
    importer_logger = logging.getLogger("importer")
    exit_code: int | str | None = 0
    with (
        mock.patch.dict(os.environ, env, clear=True),
        mock.patch("sys.stdin", stdin_stream),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        mock.patch.object(importer_logger, "propagate", False),
    ):
        importer_logger.addHandler(handler)
        try:
            command = load_command_class("importer", "import_timesheets")
            command.run_from_argv(["manage.py", "import_timesheets", *args])
        except SystemExit as exit:
            exit_code = exit.code
        finally:
            importer_logger.removeHandler(handler)
    return ImportRun(int(exit_code or 0), stdout.getvalue(), stderr.getvalue())


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
        self.client_ports: list[int] = []  # the connection each matching request came on
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
                    proxy.client_ports.append(self.client_address[1])
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


class Gunicorn:
    """The production server (gunicorn with the shipped gunicorn.conf.py) on a free loopback port."""

    def __init__(self, env: dict[str, str], workers: int = 2, healthy: bool = True) -> None:
        port = free_port()
        environment = {**os.environ, **env}
        self.process = start_gunicorn(port, workers, environment, healthy=healthy)
        self.url = f"http://127.0.0.1:{port}"
        self.port = port

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class HangingProxy:
    """A TCP server on loopback that accepts connections and never answers, nor forwards them:
    a database behind a network that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._accepted.append(connection)

    def stop(self) -> None:
        self._listener.close()
        for connection in self._accepted:
            connection.close()


class SlowClients:
    """Slowloris: connections that send a request's headers one line every `interval` seconds."""

    def __init__(self, port: int, count: int, interval: float = 2.0) -> None:
        self.interval = interval
        self._stopped = threading.Event()
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        for connection in self.sockets:
            connection.sendall(b"GET /timesheets HTTP/1.1\r\nHost: localhost\r\n")
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        line = 0
        while not self._stopped.wait(self.interval):
            line += 1
            for connection in self.sockets:
                try:
                    connection.sendall(f"X-Slow-{line}: 1\r\n".encode())
                except OSError:
                    pass

    def open_count(self) -> int:
        """How many connections the server has not closed."""
        still_open = 0
        for connection in self.sockets:
            connection.setblocking(False)
            try:
                still_open += connection.recv(1, socket.MSG_PEEK) != b""
            except BlockingIOError:
                still_open += 1
            except OSError:
                pass
            finally:
                connection.setblocking(True)
        return still_open

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.interval + 1)
        for connection in self.sockets:
            connection.close()
