"""A headless Chromium driven by selenium, for the tests that need what only a browser shows.

Starting Chromium costs about a second of CPU, so the session keeps one (`SharedChromium`)
and each test gets it back as new: no cookie, no web storage, no emulated screen or network
left by the test before, and on a blank page.

Chromium's headless shell (Debian's chromium-headless-shell) is preferred: the same engine
and DevTools protocol without the browser around it, as Puppeteer's `headless: "shell"` runs.
Over the browser tests it costs about 40% less CPU than the whole Chromium in its headless
mode, which is used where only it is installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
LAPTOP = {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False}

# Seconds a `find_element` waits for an element to appear: pages draw after `get` returns.
IMPLICIT_WAIT = 10
# Seconds between two looks of an explicit wait (WebDriverWait). Selenium's 0.5 s made a page
# that answers in a tenth of a second cost half a second at each wait.
POLL_SECONDS = 0.05


def start_chromium() -> Any:
    """A new headless Chromium; skips the test (fails it under CI) where none is installed."""
    chromium = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    chromedriver = shutil.which("chromedriver")
    if not (chromium and chromedriver):
        reason = (
            "Chromium and chromedriver are not installed"
            " (apt-get install chromium-headless-shell chromium-driver)"
        )
        if os.getenv("TIMESHEETS_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI must not skip it
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",  # the shell is always headless; the whole Chromium then runs its new mode
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
    driver.implicitly_wait(IMPLICIT_WAIT)
    return driver


def reset(driver: Any, origin: str) -> None:
    """Leaves `driver` as `start_chromium` gave it, for a test on the server at `origin`.

    All but the HTTP cache: it keeps only what the server lets it, static files that are the
    same for every test, and it spares each test fetching them again.
    """
    driver.get("about:blank")  # the last test's page stops talking to the server
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    # localStorage and sessionStorage (Chromium clears both as "local_storage"), IndexedDB,
    # caches a script made, service workers.
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.delete_network_conditions()  # chromedriver keeps them for the session, not the page
    driver.implicitly_wait(IMPLICIT_WAIT)
    driver.get_log("browser")  # read, and so emptied: a failure shows this test's console only


class SharedChromium:
    """One Chromium for the session, started on first use and started again should it die."""

    def __init__(self) -> None:
        self.driver: Any = None

    def fresh(self, origin: str) -> Any:
        """The Chromium, reset for a test on the server at `origin`."""
        if self.driver is not None:
            try:
                reset(self.driver, origin)
                return self.driver
            # A dialog left open, Chromium crashed (WebDriverException), chromedriver gone
            # (a urllib3 error): a new one.
            except Exception:
                self.quit()
        self.driver = start_chromium()
        return self.driver

    def leave(self) -> None:
        """A blank page after a test, so the page it left sends nothing while the data is flushed."""
        if self.driver is None:
            return
        try:
            self.driver.get("about:blank")
        except Exception:  # as in `fresh`: the next test starts another
            self.quit()

    def quit(self) -> None:
        driver, self.driver = self.driver, None
        if driver is None:
            return
        # chromedriver's quit stops the process it started; Debian's chromium-headless-shell is
        # a script that starts the shell without exec, so the shell itself ran on, orphaned,
        # after every session. The browser is told to close first; closing, it answers
        # nothing, and selenium raises.
        with contextlib.suppress(Exception):
            driver.execute_cdp_cmd("Browser.close", {})
        with contextlib.suppress(Exception):  # a Chromium that died has nothing to quit
            driver.quit()


def elements_now(driver: Any, by: str, selector: str, within: Any = None) -> list[Any]:
    """The elements matching now, in `within` (an element) or the page, without the implicit wait.

    For absence checks on a page already drawn: `find_elements` would otherwise wait the
    whole implicit wait for an element that rightly never comes.
    """
    driver.implicitly_wait(0)
    try:
        return (within or driver).find_elements(by, selector)
    finally:
        driver.implicitly_wait(IMPLICIT_WAIT)


def set_viewport(driver: Any, metrics: dict[str, Any]) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def scrolls_sideways(driver: Any) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
