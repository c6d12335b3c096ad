"""Payroll's pages in a real Chromium: the week page's decisions, the delete action on a mixed
selection, and every payroll page on a 390 px phone without sideways scrolling.

Screenshots go to artifacts/ for people to look at.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from timesheets.models import Timesheet, TimesheetEvent
from timesheets.weeks import IsoWeek

from .browsers import POLL_SECONDS
from .factories import PersonFactory, TimesheetFactory
from .test_screens import LAPTOP, screenshot, staff_browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
THIS_WEEK = IsoWeek.of(datetime.date.today())


@pytest.fixture
def team(transactional_db) -> None:
    """This week: Ann logged two projects, Bo is approved, Cy logged nothing."""
    for user_id, first, last in (("007", "Ann", "Lee"), ("008", "Bo", "Kim"), ("009", "Cy", "Ray")):
        PersonFactory.create(
            user_id=user_id,
            account__username=f"u{user_id}",
            account__first_name=first,
            account__last_name=last,
        )
    for user_id, project, hours, approved in (
        ("007", "StoreZero", "30", False),
        ("007", "Atlas: the very long name of a migration project", "8.5", False),
        ("008", "StoreZero", "40", True),
    ):
        TimesheetFactory.create(
            user_id=user_id,
            year=THIS_WEEK.year,
            week=THIS_WEEK.week,
            project=project,
            hours=Decimal(hours),
            approved=approved,
            created_by="user:maria",
        )


def on_phone(browser) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def scrolls_sideways(browser) -> bool:
    # A phone's Chromium widens `innerWidth` to a page wider than the screen (it zooms out), so
    # the screen's width is the layout viewport's, `clientWidth`.
    return browser.execute_script(
        "const page = document.documentElement;"
        "return page.scrollWidth > Math.min(window.innerWidth, page.clientWidth)"
    )


def visible_across(browser, selector: str) -> bool:
    """Every element matching `selector` lies within the screen's width."""
    return browser.execute_script(
        "const cells = [...document.querySelectorAll(arguments[0])];"
        "return cells.length > 0 && cells.every(cell => {"
        "  const box = cell.getBoundingClientRect();"
        "  return box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth; })",
        selector,
    )


def text_once_there(browser, selector: str, words: str) -> str:
    """The text of `selector` once it holds `words`: a click that submits a form returns before
    the next page is drawn, and the old page's elements go stale while it is read."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(driver) -> str | bool:
        text = driver.find_element(By.CSS_SELECTOR, selector).text
        return text if words in text else False

    waiting = WebDriverWait(browser, 10, POLL_SECONDS, ignored_exceptions=[WebDriverException])
    return str(waiting.until(found))


def person_row(browser, user_id: str):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, f"person-employee{user_id}")


def test_a_clerk_approves_a_persons_week(api, staff_browser, team):  # noqa: F811
    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/week/")
    from selenium.webdriver.common.by import By

    person_row(staff_browser, "007").find_element(By.CSS_SELECTOR, "button[value=approve]").click()
    assert "approved 2 entries" in text_once_there(staff_browser, ".messagelist", "approved")
    assert person_row(staff_browser, "007").find_element(By.CSS_SELECTOR, ".state").text == "Approved"
    assert Timesheet.objects.filter(user_id="007", approved=True).count() == 2


def test_a_clerk_sends_a_week_back_with_a_comment(api, staff_browser, team):  # noqa: F811
    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/week/")
    from selenium.webdriver.common.by import By

    row = person_row(staff_browser, "007")
    row.find_element(By.NAME, "comment").send_keys("Atlas belongs to last week")
    row.find_element(By.CSS_SELECTOR, "button[value=send_back]").click()
    state = text_once_there(staff_browser, "#person-employee007 .state", "Atlas belongs to last week")
    assert state.startswith("Sent back")
    assert TimesheetEvent.objects.filter(action="sent_back").count() == 2


def test_the_export_link_gives_payroll_its_named_columns(api, staff_browser, team):  # noqa: F811
    from selenium.webdriver.common.by import By

    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/?approved__exact=1")
    link = staff_browser.find_element(By.CSS_SELECTOR, "a.export-link").get_attribute("href")
    # The file the clerk's browser downloads, read with the clerk's session.
    csv_text = staff_browser.execute_async_script(
        "fetch(arguments[0]).then(answer => answer.text()).then(arguments[1])", link
    )
    header, *rows = csv_text.splitlines()
    named = ["person_name", "week_start", "week_end", "approved_by_name", "created_by_name"]
    assert header.split(",")[-5:] == named
    assert len(rows) == 1 and "Bo Kim" in rows[0] and THIS_WEEK.monday().isoformat() in rows[0]


def test_the_week_page_lists_who_has_not_logged(api, staff_browser, team):  # noqa: F811
    from selenium.webdriver.common.by import By

    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/week/")
    screenshot(staff_browser, "admin-week.png")
    assert staff_browser.find_element(By.ID, "not-logged").text.startswith("Cy Ray")
    assert person_row(staff_browser, "009").find_element(By.CSS_SELECTOR, ".state").text == "Not logged"


def test_deleting_a_mixed_selection_deletes_the_pending_and_says_what_was_kept(
    api,
    staff_browser,  # noqa: F811
    team,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/")
    staff_browser.find_element(By.ID, "action-toggle").click()
    Select(staff_browser.find_element(By.NAME, "action")).select_by_value("delete_pending_selected")
    staff_browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    assert "1 approved timesheet will be kept" in text_once_there(
        staff_browser, "#content-main", "will be kept"
    )
    staff_browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    messages = text_once_there(staff_browser, ".messagelist", "Deleted")
    screenshot(staff_browser, "admin-delete-mixed.png")
    assert "Deleted 2 pending timesheet(s)." in messages
    assert "Kept 1 approved timesheet(s), since an approved entry is a record of payment" in messages
    assert "lack permission" not in staff_browser.page_source
    assert list(Timesheet.objects.values_list("user_id", flat=True)) == ["008"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/admin/", "index"),
        ("/admin/timesheets/timesheet/", "entries"),
        ("/admin/timesheets/timesheet/weekly/", "weekly"),
        ("/admin/timesheets/timesheet/week/", "week"),
        ("/admin/timesheets/timesheetevent/", "audit"),
    ],
)
def test_payroll_pages_fit_a_phone(api, staff_browser, team, path, name):  # noqa: F811
    on_phone(staff_browser)
    staff_browser.get(api.base_url + path)
    screenshot(staff_browser, f"phone-{name}.png")
    assert not scrolls_sideways(staff_browser)


def test_the_entries_list_on_a_phone_shows_hours_and_approval(api, staff_browser, team):  # noqa: F811
    on_phone(staff_browser)
    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/")
    assert visible_across(staff_browser, "#result_list td.field-hours")
    assert visible_across(staff_browser, "#result_list td.field-approved")


def test_the_weekly_charts_scale_to_a_phone(api, staff_browser, team):  # noqa: F811
    on_phone(staff_browser)
    staff_browser.get(api.base_url + "/admin/timesheets/timesheet/weekly/")
    assert visible_across(staff_browser, ".weekly-charts svg")


def test_the_index_on_a_phone_keeps_words_whole(api, staff_browser, team):  # noqa: F811
    from selenium.webdriver.common.by import By

    on_phone(staff_browser)
    staff_browser.get(api.base_url + "/admin/")
    link = staff_browser.find_element(By.LINK_TEXT, "Weekly picture")
    assert link.size["width"] > link.size["height"] * 3  # one line, not one letter per line


def test_what_changed_is_not_clipped_on_a_laptop(api, staff_browser, team):  # noqa: F811
    entry = Timesheet.objects.get(project__startswith="Atlas")
    # A tracker's key: long, and without a space to wrap at.
    entry.external_id = "harvest:ann.lee@abc.example:2026-W49:Atlas_the_very_long_name_of_a_migration_project"
    entry.save()
    from timesheets import services

    services.timesheet_delete(timesheet_id=entry.pk, deleted_by="user:payroll")
    staff_browser.get(api.base_url + "/admin/timesheets/timesheetevent/")
    screenshot(staff_browser, "admin-audit.png")
    assert visible_across(staff_browser, "#result_list td.field-what_changed")
    assert not scrolls_sideways(staff_browser)
    assert staff_browser.execute_script(
        "return [...document.querySelectorAll('.results')].every(box => box.scrollWidth <= box.clientWidth)"
    )
