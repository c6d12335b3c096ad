"""The employees' web app in a real Chromium: a person signs in, logs, corrects and deletes
time at a phone's width; a manager approves at a laptop's; a short-lived token renews itself.

One browser for the session, reset before each test (tests/browsers.py); each test signs a
new person in. Screenshots of every screen at both widths go to artifacts/; at each, nothing
may scroll sideways.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest
from django.utils import timezone
from oauth2_provider.models import get_refresh_token_model
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from issuer import tokens as issuer_tokens
from people.models import Person, Role
from timesheets.models import Timesheet
from webapp.registration import web_client_register

from ..browsers import LAPTOP, PHONE, POLL_SECONDS, elements_now, scrolls_sideways, set_viewport
from ..factories import PASSPHRASE, PersonFactory, StaffUserFactory, TimesheetFactory
from ..support import PROJECT_DIR

pytestmark = pytest.mark.browser

PASSWORD = PASSPHRASE  # every account the factories make signs in with it
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
# A person's access token lifetime in the tests of what happens once it has expired. They move
# the clocks past it rather than wait it out (`outlive_the_access_token`).
TOKEN_SECONDS = 60
# Puts the page's clock `arguments[0]` milliseconds ahead. The page reads the time it renews its
# token at with `Date.now` alone (webapp/static/webapp/auth.js).
PAGE_CLOCK_AHEAD = """
const ahead = arguments[0];
const now = Date.now;
Date.now = () => now.call(Date) + ahead;
"""


@pytest.fixture
def browser(browser: Any) -> Any:
    """The session's browser, reset; the web app registered again.

    The web app is registered by `migrate`; the test before may have flushed the tables.
    """
    web_client_register()
    return browser


@pytest.fixture
def access_tokens(monkeypatch) -> list[str]:
    """Every access token the issuer signs during the test, oldest first.

    The issuer stores only their checksums, and the page keeps its own to itself.
    """
    signed: list[str] = []
    sign = issuer_tokens.sign

    def sign_and_keep(claims: dict[str, Any], typ: str) -> str:
        token = sign(claims, typ)
        if typ == "at+jwt":
            signed.append(token)
        return token

    monkeypatch.setattr(issuer_tokens, "sign", sign_and_keep)
    return signed


def person(username: str, user_id: str, role: str = Role.EMPLOYEE) -> Person:
    return PersonFactory.create(
        user_id=user_id,
        role=role,
        account__username=username,
        account__email=f"{username}@abc.example",
        account__first_name=username.capitalize(),
    )


def this_week(weeks_ago: int = 0) -> tuple[int, int]:
    year, week, _ = (date.today() - timedelta(weeks=weeks_ago)).isocalendar()
    return year, week


def entry(
    owner: Person, project: str, hours: str, *, weeks_ago: int = 0, approved: bool = False
) -> Timesheet:
    year, week = this_week(weeks_ago)
    return TimesheetFactory.create(
        user_type=owner.user_type,
        user_id=owner.user_id,
        year=year,
        week=week,
        project=project,
        hours=Decimal(hours),
        approved=approved,
    )


def wait(driver: Any, condition: Any, timeout: float = 10) -> Any:
    # A list drawn again, or a page navigating away, while it is read leaves stale nodes
    # (Chromium may say so as "Node with given id does not belong to the document"): read again.
    waiting = WebDriverWait(driver, timeout, POLL_SECONDS, ignored_exceptions=[WebDriverException])
    try:
        return waiting.until(lambda _: condition())
    except TimeoutException:
        # What the page said instead, for whoever reads the failure.
        said = driver.execute_script(
            "return [location.href, ...['error', 'message'].map(id => document.getElementById(id)?.innerText)]"  # noqa: E501
        )
        driver.save_screenshot(str(PROJECT_DIR / "artifacts" / "app-failure.png"))
        console = [entry["message"] for entry in driver.get_log("browser")]
        raise AssertionError(f"the page never got there; it shows {said}; console: {console}") from None


def by_id(driver: Any, element_id: str) -> Any:
    return driver.find_element(By.ID, element_id)


def notice(driver: Any, kind: str, words: str) -> str:
    """Waits until the message (kind: message|error) says `words`; returns its text."""
    wait(driver, lambda: words in by_id(driver, kind).text)
    return by_id(driver, kind).text


def sign_in(driver: Any, base_url: str, username: str, *, reload: bool = True) -> None:
    if reload:
        driver.get(base_url + "/app/")
    by_id(driver, "sign-in").click()
    wait(driver, lambda: "/accounts/login" in driver.current_url)
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    wait(driver, lambda: by_id(driver, "signed-in").is_displayed())
    wait(driver, lambda: by_id(driver, "person-name").text == username.capitalize())


def row(driver: Any, list_id: str, project: str) -> Any:
    def find() -> Any:
        for item in driver.find_elements(By.CSS_SELECTOR, f"#{list_id} li"):
            if project in item.text:
                return item
        return None

    return wait(driver, find)


def screens(driver: Any, name: str) -> None:
    """A screenshot at each width, and no sideways scroll at either."""
    artifacts = PROJECT_DIR / "artifacts"
    artifacts.mkdir(exist_ok=True)
    for label, metrics in (("390", PHONE), ("1366", LAPTOP)):
        set_viewport(driver, metrics)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        set_viewport(driver, {**metrics, "height": max(metrics["height"], height)})
        driver.save_screenshot(str(artifacts / f"app-{name}-{label}.png"))
        assert not scrolls_sideways(driver), f"{name} scrolls sideways at {label} px"
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input, button')]"
        ".filter(field => field.offsetParent && !(field.labels?.length || field.textContent.trim()))"
        ".map(field => field.outerHTML)"
    )
    assert unlabelled == [], f"{name}: fields without a label"
    set_viewport(driver, PHONE)


def outlive_the_access_token(api: Any, browser: Any, time_machine: Any, access_tokens: list[str]) -> None:
    """Moves the server's clock and the page's past the page's access token, and shows that it
    has expired: the API refuses it.

    The page holds the newest token; it was issued before now. Its `exp` is at most
    TOKEN_SECONDS after its issue (whole seconds), and the page means to renew it a quarter
    of its lifetime earlier still: a little more than TOKEN_SECONDS ahead is past both, so the
    page's next request must renew it first. The live server runs in this process, so
    time-machine moves its clock; PAGE_CLOCK_AHEAD moves the page's by as much.
    """
    token = access_tokens[-1]
    ahead = TOKEN_SECONDS + 0.2
    time_machine.move_to(timezone.now() + timedelta(seconds=ahead), tick=True)
    browser.execute_script(PAGE_CLOCK_AHEAD, ahead * 1000)
    assert jwt.decode(token, options={"verify_signature": False})["exp"] <= time.time()
    assert api.get("/me", token=token).status_code == 401


def assert_no_token_kept(driver: Any) -> None:
    """Nothing in web storage, and no cookie but the sign-in page's own session."""
    local, session, cookie = driver.execute_script(
        "return [JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie]"
    )
    assert local == "{}" and session == "{}"
    assert not JWT.search(cookie)
    cookies = driver.get_cookies()
    assert {item["name"] for item in cookies} <= {"sessionid", "csrftoken"}
    assert not any(JWT.search(item["value"]) for item in cookies)


def test_an_employee_logs_corrects_and_deletes_time_on_a_phone(api, browser):
    ann = person("ann", "007")
    entry(ann, "StoreZero", "4", weeks_ago=1)  # last week: a project to suggest
    entry(ann, "Onboarding", "2", approved=True)
    set_viewport(browser, PHONE)
    browser.get(api.base_url + "/app/")
    screens(browser, "sign-in")

    sign_in(browser, api.base_url, "ann")
    wait(browser, lambda: "Onboarding" in by_id(browser, "entries").text)
    assert not by_id(browser, "team").is_displayed()  # no approve:timesheets in an employee's token
    suggestions = browser.execute_script(
        "return [...document.querySelectorAll('#recent-projects option')].map(o => o.value)"
    )
    assert "StoreZero" in suggestions
    assert "approved" in row(browser, "entries", "Onboarding").text
    by_id(browser, "previous-week").click()
    row(browser, "entries", "StoreZero")
    year, week = this_week(1)
    assert by_id(browser, "week-name").text == f"Week {week}, {year}"
    by_id(browser, "this-week").click()
    row(browser, "entries", "Onboarding")

    by_id(browser, "add-project").send_keys("Atlas")
    by_id(browser, "add-hours").send_keys("7.5", Keys.ENTER)
    notice(browser, "message", "Added")
    added = Timesheet.objects.get(user_id="007", project="Atlas")
    assert added.hours == Decimal("7.5") and (added.year, added.week) == this_week()
    wait(browser, lambda: by_id(browser, "week-total").text == "9.5 h")
    screens(browser, "week")

    row(browser, "entries", "Atlas").find_element(By.XPATH, ".//button[text()='Correct']").click()
    hours = by_id(browser, f"edit-hours-{added.pk}")
    hours.clear()
    hours.send_keys("8")
    screens(browser, "correct")
    hours.send_keys(Keys.ENTER)
    notice(browser, "message", "Corrected")
    assert Timesheet.objects.get(pk=added.pk).hours == Decimal("8")

    row(browser, "entries", "Atlas").find_element(By.XPATH, ".//button[text()='Delete']").click()
    notice(browser, "message", "Deleted")
    assert not Timesheet.objects.filter(pk=added.pk).exists()
    row(browser, "entries", "Onboarding")  # the week drawn again: an approved entry has no buttons
    assert not elements_now(browser, By.XPATH, "//*[@id='entries']//li[contains(., 'Onboarding')]//button")

    assert_no_token_kept(browser)
    by_id(browser, "sign-out").click()
    notice(browser, "message", "signed out")
    screens(browser, "signed-out")
    assert not get_refresh_token_model().objects.filter(revoked__isnull=True).exists()
    by_id(browser, "sign-in").click()  # the sign-in page's session is still there, yet:
    wait(browser, lambda: "/accounts/login" in browser.current_url)  # the password is asked again


def test_an_employee_sees_why_payroll_sent_an_entry_back(api, browser):
    cy = person("cy", "009")
    returned = entry(cy, "Atlas", "8")
    Timesheet.objects.filter(pk=returned.pk).update(sent_back_comment="Atlas was closed that week")
    set_viewport(browser, PHONE)
    sign_in(browser, api.base_url, "cy")

    shown = row(browser, "entries", "Atlas").text
    assert "sent back" in shown and "Sent back by payroll: Atlas was closed that week" in shown


def test_errors_are_said_in_words(api, browser):
    bob = person("bob", "008")
    approved_meanwhile = entry(bob, "Atlas", "3")
    gone_meanwhile = entry(bob, "Zephyr", "2")
    set_viewport(browser, PHONE)
    sign_in(browser, api.base_url, "bob")

    row(browser, "entries", "Atlas").find_element(By.XPATH, ".//button[text()='Correct']").click()
    Timesheet.objects.filter(pk=approved_meanwhile.pk).update(approved=True)
    by_id(browser, f"edit-hours-{approved_meanwhile.pk}").send_keys(Keys.ENTER)
    assert "already approved" in notice(browser, "error", "approved")
    screens(browser, "error")

    Timesheet.objects.filter(pk=gone_meanwhile.pk).delete()
    row(browser, "entries", "Zephyr").find_element(By.XPATH, ".//button[text()='Delete']").click()
    assert "someone else's entry" in notice(browser, "error", "someone else")

    browser.set_network_conditions(offline=True, latency=0, throughput=0)
    try:
        by_id(browser, "next-week").click()
        assert notice(browser, "error", "unreachable") == "The server is unreachable, try again."
    finally:
        browser.delete_network_conditions()


def test_a_manager_approves_an_employees_entry_but_not_their_own(api, browser):
    ann = person("ann", "007")
    mia = person("mia", "100", Role.MANAGER)
    theirs = entry(ann, "Atlas", "6")
    also_theirs = entry(ann, "Zephyr", "2")
    own = entry(mia, "Budget", "3")
    set_viewport(browser, LAPTOP)
    sign_in(browser, api.base_url, "mia")
    wait(browser, lambda: by_id(browser, "team").is_displayed())
    row(browser, "pending", "Budget")
    screens(browser, "manager")
    set_viewport(browser, LAPTOP)

    row(browser, "pending", "Atlas").find_element(By.XPATH, ".//button[text()='Approve']").click()
    notice(browser, "message", "Approved 1 entry")
    assert Timesheet.objects.get(pk=theirs.pk).approved

    wait(browser, lambda: "Atlas" not in by_id(browser, "pending").text)
    by_id(browser, "approve-all").click()
    said = notice(browser, "error", "someone else")
    assert "Approved 1 entry." in said
    assert "Budget (You) is not approved: An entry is approved by someone else." in said
    assert Timesheet.objects.get(pk=also_theirs.pk).approved
    assert not Timesheet.objects.get(pk=own.pk).approved
    screens(browser, "manager-refused")


def test_the_page_keeps_working_after_its_access_token_expires(
    api, browser, settings, access_tokens, time_machine
):
    settings.OAUTH_PERSON_TOKEN_SECONDS = TOKEN_SECONDS
    settings.OAUTH_LEEWAY = 0
    person("ann", "007")
    sign_in(browser, api.base_url, "ann")
    browser.execute_script("window.sameVisit = true")  # gone if the page were loaded again
    refresh_tokens = get_refresh_token_model().objects.count()
    outlive_the_access_token(api, browser, time_machine, access_tokens)

    by_id(browser, "add-project").send_keys("Atlas")
    by_id(browser, "add-hours").send_keys("1", Keys.ENTER)
    notice(browser, "message", "Added")
    assert Timesheet.objects.filter(user_id="007", project="Atlas").exists()
    assert browser.execute_script("return window.sameVisit === true")
    assert "/accounts/login" not in browser.current_url
    assert get_refresh_token_model().objects.count() >= 2  # renewed: a new refresh token
    assert get_refresh_token_model().objects.count() > refresh_tokens  # and renewed after it expired
    assert_no_token_kept(browser)


def test_a_sign_in_that_cannot_be_renewed_starts_again_and_keeps_what_was_typed(
    api, browser, settings, access_tokens, time_machine
):
    settings.OAUTH_PERSON_TOKEN_SECONDS = TOKEN_SECONDS
    settings.OAUTH_LEEWAY = 0
    person("ann", "007")
    sign_in(browser, api.base_url, "ann")
    by_id(browser, "add-project").send_keys("Atlas")
    by_id(browser, "add-hours").send_keys("2")
    get_refresh_token_model().objects.update(revoked=timezone.now())  # as if signed out elsewhere
    outlive_the_access_token(api, browser, time_machine, access_tokens)

    by_id(browser, "add-hours").send_keys(Keys.ENTER)
    notice(browser, "message", "signed in again")  # the sign-in page's session: no password asked
    assert by_id(browser, "add-project").get_attribute("value") == "Atlas"
    assert by_id(browser, "add-hours").get_attribute("value") == "2"
    assert not Timesheet.objects.exists()
    assert_no_token_kept(browser)  # the draft waited in sessionStorage only during the trip


def test_an_account_that_is_no_person_is_told_so_and_may_sign_in_as_another(api, browser):
    StaffUserFactory.create(username="payroll")
    person("ann", "007")
    browser.get(api.base_url + "/app/")
    by_id(browser, "sign-in").click()
    browser.find_element(By.NAME, "username").send_keys("payroll")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    assert "may not use the web app" in notice(browser, "error", "another")

    sign_in(browser, api.base_url, "ann", reload=False)  # the password page, not straight back


# Answers the page's refresh-token requests with 429 until `window.tokenBusy` is false, as a
# proxy shedding load would; each one counted in `window.busyAnswers`.
BUSY_TOKEN_ENDPOINT = """
window.tokenBusy = true;
window.busyAnswers = 0;
const realFetch = window.fetch;
window.fetch = (url, options) => {
  const refresh = String(url).includes("/oauth/token") && String(options?.body).includes("refresh_token");
  if (window.tokenBusy && refresh) {
    window.busyAnswers += 1;
    const headers = { "Retry-After": "1" };
    return Promise.resolve(new Response('{"error": "too_many_requests"}', { status: 429, headers }));
  }
  return realFetch(url, options);
};
"""


@pytest.mark.slow
def test_a_busy_token_endpoint_is_said_as_busy_and_keeps_the_sign_in(
    api, browser, settings, access_tokens, time_machine
):
    settings.OAUTH_PERSON_TOKEN_SECONDS = TOKEN_SECONDS
    settings.OAUTH_LEEWAY = 0
    person("ann", "007")
    sign_in(browser, api.base_url, "ann")
    browser.execute_script(BUSY_TOKEN_ENDPOINT)  # gone if the page were loaded again
    outlive_the_access_token(api, browser, time_machine, access_tokens)

    by_id(browser, "add-project").send_keys("Atlas")
    by_id(browser, "add-hours").send_keys("1", Keys.ENTER)
    notice(browser, "error", "busy")
    assert browser.execute_script("return window.busyAnswers") == 2  # asked again once, after Retry-After
    browser.execute_script("window.tokenBusy = false")
    by_id(browser, "add-hours").send_keys(Keys.ENTER)
    notice(browser, "message", "Added")
    assert "/accounts/login" not in browser.current_url
    assert Timesheet.objects.filter(user_id="007", project="Atlas").exists()
