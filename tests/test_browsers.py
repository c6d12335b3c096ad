"""The session's shared Chromium comes back to each browser test as new, and goes when it quits."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from .browsers import PHONE, SharedChromium, set_viewport

pytestmark = pytest.mark.browser

LEFT_BEHIND = """
localStorage.setItem("left", "behind");
sessionStorage.setItem("left", "behind");
document.cookie = "left=behind; path=/";
"""
WHAT_IS_KEPT = "return [localStorage.length, sessionStorage.length, document.cookie, window.innerWidth]"


def kept(driver: Any) -> tuple[int, int, bool, bool]:
    local, session, cookie, width = driver.execute_script(WHAT_IS_KEPT)
    return local, session, "left=behind" in cookie, width == PHONE["width"]


def test_a_reset_leaves_no_storage_cookie_or_screen_of_the_test_before(api, shared_chromium):
    # The sign-in page: no script of its own touches storage (the web app's does).
    driver = shared_chromium.fresh(api.base_url)
    driver.get(api.base_url + "/accounts/login/")
    driver.execute_script(LEFT_BEHIND)
    set_viewport(driver, PHONE)
    assert kept(driver) == (1, 1, True, True)

    driver = shared_chromium.fresh(api.base_url)
    driver.get(api.base_url + "/accounts/login/")
    assert kept(driver) == (0, 0, False, False)


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs, as /proc tells."""
    parents = {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/stat") as stat:
                parents[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:  # gone meanwhile
            continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_quitting_leaves_no_chromium_process_running():
    chromium = SharedChromium()
    driver = chromium.fresh("http://127.0.0.1")
    started = descendants(driver.service.process.pid)  # the browser and its page processes
    assert started
    chromium.quit()
    deadline = time.monotonic() + 5
    while any(map(running, started)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, started))
