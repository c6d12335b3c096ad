"""Fixtures of the importer's tests: the fakes of the trackers' APIs, on loopback, and a clock
for the importer's retries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scripts.fake_trackers import FakeTrackers

from ..support.importing import RetryClock


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
