"""importer/http.py: what a session reads of an answer is bounded, redirects included."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest

from importer.http import SameOriginSession, request
from scripts.servers import LoopbackServer

from ..support.servers import drip


@pytest.fixture
def dripping_redirect():
    """A same-origin 302 whose body drips in a byte at a time for 20 s, then the page it names."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/final":
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"[]")
                return
            self.send_response(302)
            self.send_header("Location", "/final")
            self.send_header("Content-Length", "400")
            self.end_headers()
            drip(self.wfile, b"x")

    server = LoopbackServer(Handler)
    yield f"http://127.0.0.1:{server.port}/start"
    server.stop()


def test_a_redirects_body_is_not_read_so_it_cannot_hold_the_request(dripping_redirect):
    started = time.monotonic()
    with SameOriginSession() as session:
        response = request(session, "GET", dripping_redirect, timeout=(1, 1))
    assert response.content == b"[]" and response.history[0].status_code == 302
    assert time.monotonic() - started < 5


def test_an_unfollowed_redirect_is_answered_without_reading_its_body(dripping_redirect):
    started = time.monotonic()
    with SameOriginSession() as session:
        response = request(session, "GET", dripping_redirect, timeout=(1, 1), allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == "/final"
    assert time.monotonic() - started < 5


def test_a_connection_the_client_asked_to_close_carries_no_further_request():
    """RFC 9112 §9.6: a client that sent `Connection: close` sends nothing more on that
    connection. This server closes it a moment after answering, without saying so (as
    Django's runserver does), and never reads what else came on it."""
    connections = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            connections.append(self.client_address)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")
            self.wfile.flush()
            if self.headers.get("Connection") == "close":
                time.sleep(0.3)  # the next request, if sent here, is never read
                self.close_connection = True

    server = LoopbackServer(Handler)
    url = f"http://127.0.0.1:{server.port}/timesheets/batch"
    try:
        with SameOriginSession() as session:
            first = request(
                session, "POST", url, timeout=(2, 2), data=b"[1]", headers={"Connection": "close"}
            )
            second = request(session, "POST", url, timeout=(2, 2), data=b"[2]")
        assert (first.content, second.content) == (b"[]", b"[]")
        assert len(set(connections)) == 2  # the second request came on a new connection
    finally:
        server.stop()
