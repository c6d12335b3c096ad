"""An entry's history, as staff see it in a real browser after an import and a re-import."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from .samples import SAMPLE_ENTRY
from .support.paths import PROJECT_DIR

PASSWORD = "correct horse battery staple"


@pytest.fixture
def reimported_entry(api, api_client) -> tuple[int, str]:
    """(entry id, client id) of an entry a client imported, then sent again with other hours."""
    client_id, client_secret = api_client("create:timesheets", name="Payroll import")
    token = api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
    ).json()["access_token"]
    entry = {**SAMPLE_ENTRY, "external_id": "payroll-1"}
    [created] = api.post("/timesheets/batch", token=token, json=[entry]).json()
    [updated] = api.post("/timesheets/batch", token=token, json=[{**entry, "hours": 41.5}]).json()
    assert (created["status"], updated["status"]) == ("created", "updated")
    return created["id"], client_id


@pytest.mark.browser
def test_staff_see_who_changed_an_entry_by_name_and_what_changed(api, browser, reimported_entry):
    from selenium.webdriver.common.by import By

    entry_id, client_id = reimported_entry
    get_user_model().objects.create_superuser("payroll", "payroll@abc.example", PASSWORD)
    browser.get(api.base_url + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("payroll")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    browser.find_element(By.ID, "user-tools")  # the admin index: the sign-in page has no user tools

    browser.get(f"{api.base_url}/admin/timesheets/timesheet/{entry_id}/change/")
    browser.find_element(By.CSS_SELECTOR, "a.historylink").click()  # the entry page's "History"
    table = browser.find_element(By.ID, "entry-history")
    artifacts = PROJECT_DIR / "artifacts"
    artifacts.mkdir(exist_ok=True)
    browser.save_screenshot(str(artifacts / "admin-entry-history.png"))

    rows = [row.text for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    created, updated = rows
    assert "Created" in created and "Payroll import" in created and "StoreZero" in created
    assert "Updated" in updated and "Payroll import" in updated and "40.00 → 41.50" in updated
    assert client_id not in table.text

    browser.find_element(By.LINK_TEXT, "Back to the entry").click()
    assert browser.current_url.endswith(f"/admin/timesheets/timesheet/{entry_id}/change/")
