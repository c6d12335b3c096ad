"""What a person sees, in a real Chromium: the entries list, the weekly picture, the landing page.

Screenshots go to artifacts/ for people to look at; the assertions are what a person must
see there: names rather than ids, charts with the right totals, no horizontal scrollbar on a
1,366 px screen, and no server error behind any link of the admin.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from timesheets.models import Timesheet

from .browsers import elements_now
from .factories import ApiClientFactory, TimesheetFactory
from .support.paths import PROJECT_DIR

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for the screens"
LAPTOP = {"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": False}


@pytest.fixture
def payroll_data(transactional_db) -> str:
    """Two weeks of the scenario's people, created by an import client and by a staff user."""
    client = ApiClientFactory.create(name="Contractor import", scopes=["create:timesheets"]).client
    rows = [
        ("Employee", "007", 24, "StoreZero", "40", True, client.client_id),
        ("Employee", "007", 23, "StoreZero", "8", False, client.client_id),
        (
            "Contractor",
            "c-42",
            24,
            "Atlas: the very long name of a migration project",
            "12.5",
            False,
            "user:maria",
        ),
    ]
    Timesheet.objects.bulk_create(
        TimesheetFactory.build(
            user_type=kind,
            user_id=user_id,
            week=week,
            project=project,
            hours=Decimal(hours),
            approved=approved,
            created_by=created_by,
            external_id=f"{user_id}:{week}",
        )
        for kind, user_id, week, project, hours, approved, created_by in rows
    )
    return client.client_id


def make_staff() -> Any:
    """A superuser, payroll, who signs in to the admin with PASSWORD."""
    return get_user_model().objects.create_superuser("payroll", "payroll@abc.example", PASSWORD)


@pytest.fixture
def staff_browser(api, browser):
    """The browser signed in to the admin as payroll, on the admin index at a laptop's width.

    The session is made in this process and handed to the browser as its cookie: no test
    that uses this fixture looks at the sign-in form, and typing into it cost each a third of
    a second. `sign_in_through_the_form` signs in as staff do.
    """
    from selenium.webdriver.common.by import By

    client = Client()
    client.force_login(make_staff())
    name = settings.SESSION_COOKIE_NAME
    session = {"url": api.base_url, "name": name, "value": client.cookies[name].value, "httpOnly": True}
    browser.execute_cdp_cmd("Network.setCookie", session)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", LAPTOP)
    browser.get(api.base_url + "/admin/")
    browser.find_element(By.ID, "user-tools")  # signed in: the sign-in page has none
    return browser


def sign_in_through_the_form(browser, base_url: str) -> None:
    """Signs payroll (`make_staff`) in to the admin through its sign-in form, at a laptop's width."""
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", LAPTOP)
    browser.get(base_url + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("payroll")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    browser.find_element(By.ID, "user-tools")  # waits for the admin index


def screenshot(browser, name: str) -> None:
    artifacts = PROJECT_DIR / "artifacts"
    artifacts.mkdir(exist_ok=True)
    browser.save_screenshot(str(artifacts / name))


def has_horizontal_scrollbar(browser) -> bool:
    """The page's, or that of the box Django's admin scrolls a too wide list in."""
    return browser.execute_script(
        "return [document.documentElement, ...document.querySelectorAll('.results, .weekly-charts')]"
        ".some(box => box.scrollWidth > box.clientWidth)"
    )


def test_the_entries_list_names_creators_and_fits_a_laptop_screen(api, staff_browser, payroll_data):
    from selenium.webdriver.common.by import By

    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/")
    screenshot(staff_browser, "admin-entries.png")
    creators = [cell.text for cell in staff_browser.find_elements(By.CSS_SELECTOR, "td.field-creator")]
    assert sorted(creators) == ["Contractor import", "Contractor import", "maria"]
    assert payroll_data not in staff_browser.find_element(By.ID, "result_list").text
    assert not has_horizontal_scrollbar(staff_browser)


def test_the_week_picker_narrows_the_list(api, staff_browser, payroll_data):
    from selenium.webdriver.common.by import By

    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/?week_from=2016-W24&week_to=2016-W24")
    weeks = {cell.text for cell in staff_browser.find_elements(By.CSS_SELECTOR, "td.field-iso_week")}
    assert weeks == {"2016-W24"}
    picker = staff_browser.find_element(By.CSS_SELECTOR, "input[type=week][name=week_from]")
    assert picker.get_attribute("value") == "2016-W24"


def test_the_weekly_picture_charts_the_right_totals(api, staff_browser, payroll_data):
    from selenium.webdriver.common.by import By

    staff_browser.get(
        api.base_url + "/admin/timesheets/timesheet/weekly/?week_from=2016-W23&week_to=2016-W24"
    )
    staff_browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**LAPTOP, "height": 2400})
    screenshot(staff_browser, "admin-weekly-picture.png")
    persons = staff_browser.find_element(By.CSS_SELECTOR, "#chart-persons svg").get_attribute("textContent")
    assert "Employee 007: 48 h" in persons and "Contractor c-42: 12.5 h" in persons
    approval = staff_browser.find_element(By.CSS_SELECTOR, "#chart-approval svg").get_attribute("textContent")
    assert "waiting: 20.5 h" in approval and "approved: 40 h" in approval
    assert staff_browser.find_element(By.ID, "total-hours").text == "60.5 h"
    staff_browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", LAPTOP)
    assert not has_horizontal_scrollbar(staff_browser)


def test_the_landing_page_leads_to_the_docs_the_api_and_the_admin(api, browser):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", LAPTOP)
    browser.get(api.base_url + "/")
    screenshot(browser, "landing.png")
    links = {
        link.text: urlparse(link.get_attribute("href")).path
        for link in browser.find_elements(By.TAG_NAME, "a")
    }
    assert {links["API docs"], links["Browsable API"], links["Admin"]} == {
        "/api/docs",
        "/timesheets",
        "/admin/",
    }


@pytest.mark.slow
def test_no_admin_link_leads_to_a_server_error(api, browser, payroll_data):
    """Every link of the admin index, and every link of the pages they open, answers without a 5xx.

    Staff sign in through the form, so that the audit of sign-ins holds theirs and links to it.
    The pages are asked for with the browser's session, through Django's test client:
    only their answers count, and this process serves each three times as fast as the live
    server does over HTTP. Redirects are followed and bodies read to the end, as over HTTP.
    """
    from selenium.webdriver.common.by import By

    make_staff()
    sign_in_through_the_form(browser, api.base_url)
    client = Client(raise_request_exception=False)  # a server error is a 500, as over HTTP
    for cookie in browser.get_cookies():
        client.cookies[cookie["name"]] = cookie["value"]
    start = api.base_url + "/admin/"
    browser.get(start)
    screenshot(browser, "admin-index.png")
    assert "Weekly picture" in browser.find_element(By.ID, "payroll-links").text
    seen, pages, failures = {start}, [(start, 0)], []
    while pages:
        page, depth = pages.pop()
        response = client.get(page.removeprefix(api.base_url), follow=True)
        body = response.getvalue()  # a streamed answer too, to its end
        if response.status_code >= 500:
            failures.append((page, response.status_code))
        if depth == 2 or "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)"', body.decode()):
            link = urljoin(page, href.replace("&amp;", "&"))
            if (
                link.startswith(start)
                and "logout" not in link
                and "/delete/" not in link
                and link not in seen
            ):
                seen.add(link)
                pages.append((link, depth + 1))
    assert len(seen) > 20
    assert failures == []


def test_the_browsable_batch_endpoint_offers_a_form_for_a_get(api, staff_browser):
    from selenium.webdriver.common.by import By

    staff_browser.get(api.base_url + "/timesheets/batch")
    screenshot(staff_browser, "browsable-batch.png")
    assert "405" in staff_browser.find_element(By.CSS_SELECTOR, ".response-info").text
    form = staff_browser.find_element(By.CSS_SELECTOR, "#post-generic-content-form textarea")
    [blank] = json.loads(form.get_attribute("value"))  # an array of entries, as batch takes
    assert {"user_type", "user_id", "year", "week", "project", "hours"} <= set(blank)


def test_the_client_form_shows_a_machine_client_and_no_secret(api, staff_browser, payroll_data):
    from selenium.webdriver.common.by import By

    from issuer.models import ApiClient

    pk = ApiClient.objects.get(client_id=payroll_data).pk
    staff_browser.get(f"{api.base_url}/admin/issuer/apiclient/{pk}/change/")
    screenshot(staff_browser, "admin-api-client.png")
    form = staff_browser.find_element(By.ID, "content-main")
    fields = form.find_elements(By.CSS_SELECTOR, "fieldset.aligned label")
    assert {label.text.rstrip(":") for label in fields} == {
        "Name",
        "Is active",
        "Client ID",
        "Created",
        "Updated",
    }
    assert "create:timesheets" in form.text  # its grant, inline
    # The page is loaded: an absent element is not worth waiting for.
    assert not elements_now(staff_browser, By.CSS_SELECTOR, "[name=client_secret], a.viewsitelink", form)
