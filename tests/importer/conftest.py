"""Fixtures of the importer's tests: the fakes of the trackers' APIs, on loopback, a clock for
the importer's retries, and a live server that says when it closes a connection."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.servers.basehttp import ServerHandler

from scripts.fake_trackers import FakeTrackers

from ..support.importing import RetryClock


@pytest.fixture(autouse=True)
def _live_server_says_connection_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server answers a request that asked to close with Connection: close, as
    gunicorn does. Django's development server closes without saying so; the importer, which
    sends each batch with Connection: close, then keeps the connection in its pool and may
    send its next request (the deletions, often) on it as it closes: a ConnectionError and a
    retry after a real backoff of up to half a second."""
    cleanup_headers = ServerHandler.cleanup_headers

    def say_close(handler: Any) -> None:  # a ServerHandler, whose stubs lack these two attributes
        cleanup_headers(handler)
        if handler.request_handler.close_connection:
            handler.headers["Connection"] = "close"

    monkeypatch.setattr(ServerHandler, "cleanup_headers", say_close)


@pytest.fixture
def trackers() -> Iterator[FakeTrackers]:
    fake = FakeTrackers()
    yield fake
    fake.stop()


@pytest.fixture
def retry_clock(monkeypatch, time_machine) -> RetryClock:
    """The importer's waits between attempts, recorded and skipped: a test asserts on the
    waits it asked for (Retry-After, backoff) instead of waiting them out."""
    time_machine.move_to(datetime.now(UTC), tick=True)
    clock = RetryClock(time_machine.shift)
    monkeypatch.setattr("importer.client.time", clock)
    return clock
