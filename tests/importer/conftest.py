"""Fixtures of the importer's tests: the fakes of the trackers' APIs, on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts.fake_trackers import FakeTrackers


@pytest.fixture
def trackers() -> Iterator[FakeTrackers]:
    fake = FakeTrackers()
    yield fake
    fake.stop()
