"""The import conflicts list in a real Chromium: on a 390 px phone without sideways scrolling,
and a conflict accepted from it. Screenshots go to artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from timesheets.models import ImportConflict, Timesheet

from .factories import TimesheetFactory
from .test_payroll_screens import on_phone, scrolls_sideways, text_once_there, visible_across
from .test_screens import screenshot, staff_browser  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def conflict(transactional_db) -> ImportConflict:
    """An approved 8 h that the tracker now says is 7.50 h on a project with a long name."""
    timesheet = TimesheetFactory.create(
        user_type="Contractor",
        user_id="ann.lee@abc.example",
        year=2026,
        week=49,
        project="Atlas",
        hours=Decimal("8"),
        external_id="toggl:ann.lee@abc.example:2026-W49:Atlas",
        created_by="import-north",
        approved=True,
        approved_by="user:payroll",
    )
    proposed = timesheet.recorded() | {"hours": "7.50", "project": "Atlas: the very long name of a migration"}
    ImportConflict.objects.record("import-north", [(timesheet.pk, proposed)])
    return ImportConflict.objects.get()


def test_a_clerk_accepts_a_conflict_on_a_phone(api, staff_browser, conflict):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    on_phone(staff_browser)
    staff_browser.get(api.base_url + "/admin/timesheets/importconflict/?state__exact=open")
    screenshot(staff_browser, "phone-conflicts.png")
    assert not scrolls_sideways(staff_browser)
    # Nor does the box Django's admin scrolls a too wide list in: both values are in sight.
    assert visible_across(
        staff_browser, "#result_list td.field-approved_value, #result_list td.field-tracker_value"
    )
    assert staff_browser.execute_script(
        "return [...document.querySelectorAll('.results')].every(box => box.scrollWidth <= box.clientWidth)"
    )
    staff_browser.find_element(By.CSS_SELECTOR, "input.action-select").click()
    Select(staff_browser.find_element(By.NAME, "action")).select_by_value("accept_selected")
    staff_browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    assert "Accepted 1 conflict(s)." in text_once_there(staff_browser, ".messagelist", "Accepted")
    entry = Timesheet.objects.get()
    assert (entry.hours, entry.approved) == (Decimal("7.50"), False)
