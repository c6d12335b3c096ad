"""A headless Chromium driven by selenium, for the tests that need what only a browser shows."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
LAPTOP = {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False}


def start_chromium() -> Any:
    """A new headless Chromium; skips the test (fails it under CI) where none is installed."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
        if os.getenv("TIMESHEETS_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI must not skip it
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.implicitly_wait(10)
    return driver


def set_viewport(driver: Any, metrics: dict[str, Any]) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def scrolls_sideways(driver: Any) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
