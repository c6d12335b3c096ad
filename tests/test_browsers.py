"""The session's shared Chromium comes back to each browser test as new."""

from __future__ import annotations

from typing import Any

import pytest

from .browsers import PHONE, set_viewport

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
