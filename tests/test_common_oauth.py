"""common/oauth.py, for both sides: the token URL with the variable that set it; discovery within bounds."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from common.http import BodyLimit
from common.oauth import MAX_METADATA_BYTES, issuer_metadata, known_token_url
from importer.http import SameOriginSession
from scripts.servers import LoopbackServer


def serve(body: bytes, pause: float = 0.0) -> LoopbackServer:
    """An issuer answering every metadata path with `body`, a byte every `pause` seconds if set."""

    class Issuer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                if not pause:
                    self.wfile.write(body)
                for byte in body if pause else b"":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:
                pass  # the client hung up, as it should

    return LoopbackServer(Issuer)


@pytest.fixture
def issuer():
    servers: list[LoopbackServer] = []

    def start(body: bytes, pause: float = 0.0) -> str:
        servers.append(serve(body, pause))
        return f"http://127.0.0.1:{servers[-1].port}/"

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("session", [None, SameOriginSession()], ids=["api", "importer"])
def test_issuer_metadata_is_read(issuer, session):
    url = issuer(json.dumps({"token_endpoint": "https://issuer.example/oauth/token"}).encode())
    assert issuer_metadata(url, timeout=(1, 1), session=session)["token_endpoint"].endswith("/oauth/token")


@pytest.mark.parametrize("session", [None, SameOriginSession()], ids=["api", "importer"])
def test_issuer_metadata_over_the_limit_is_refused(issuer, session):
    padded = json.dumps({"token_endpoint": "https://issuer.example/t", "x": "x" * MAX_METADATA_BYTES})
    with pytest.raises(BodyLimit, match="over"):
        issuer_metadata(issuer(padded.encode()), timeout=(1, 1), session=session)


@pytest.mark.parametrize("session", [None, SameOriginSession()], ids=["api", "importer"])
def test_issuer_metadata_dripping_past_the_timeout_is_refused(issuer, session):
    started = time.monotonic()
    # 4 s of answer, a byte every 0.02 s: within each read's timeout, past the whole answer's 0.5 s.
    with pytest.raises(BodyLimit, match="deadline"):
        issuer_metadata(issuer(b"{" + b" " * 200 + b"}", pause=0.02), timeout=(0.25, 0.25), session=session)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("env", "issuer", "expected"),
    [
        (
            {"OAUTH_TOKEN_URL": "https://t.example/token", "AUTH0_DOMAIN": "a.example"},
            None,
            ("https://t.example/token", "OAUTH_TOKEN_URL"),
        ),
        (
            {"AUTH0_DOMAIN": "https://a.example/"},
            "https://a.example/",
            ("https://a.example/oauth/token", "AUTH0_DOMAIN"),
        ),
        ({}, None, ("http://api.example/oauth/token", "TIMESHEETS_API_URL")),
        ({}, "https://issuer.example/", (None, "OAUTH_ISSUER")),
    ],
    ids=["explicit", "auth0", "embedded", "discovered"],
)
def test_the_token_url_comes_with_the_variable_that_set_it(monkeypatch, env, issuer, expected):
    for name in ("OAUTH_TOKEN_URL", "AUTH0_DOMAIN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = known_token_url(issuer, "http://api.example/", base_variable="TIMESHEETS_API_URL")
    assert (found.url, found.variable) == expected
