from __future__ import annotations

from collections.abc import Iterator

import pytest

from .signin import close_apps


@pytest.fixture(autouse=True)
def _close_apps() -> Iterator[None]:
    yield
    close_apps()
