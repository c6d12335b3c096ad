"""The OpenAPI document, and Swagger UI driven by a real browser through the client credentials flow."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from timesheets import export as export_module
from timesheets.models import Timesheet

from .browsers import POLL_SECONDS
from .samples import SAMPLE_ENTRY
from .support.paths import PROJECT_DIR


def test_the_schema_validates_without_warnings(transactional_db):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    flow = schema["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth/token"
    assert set(flow["scopes"]) == {
        "read:timesheets",
        "create:timesheets",
        "delete:timesheets",
        "approve:timesheets",
    }


def test_each_operation_names_its_scope(api):
    paths = api.get("/api/schema/", headers={"Accept": "application/json"}).json()["paths"]
    assert paths["/timesheets"]["post"]["security"][0] == {"oauth2": ["create:timesheets"]}
    assert paths["/timesheets/{id}"]["delete"]["security"][0] == {"oauth2": ["delete:timesheets"]}
    assert paths["/timesheets/{id}/approve"]["post"]["security"][0] == {"oauth2": ["approve:timesheets"]}


@pytest.mark.browser
def test_swagger_ui_authorizes_with_client_credentials_and_creates_a_timesheet(
    api, api_client, browser, capsys
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    client_id, client_secret = api_client("read:timesheets create:timesheets", name="docs")
    wait = WebDriverWait(browser, 20, POLL_SECONDS)
    browser.get(api.base_url + "/api/docs/")

    wait.until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "button.authorize"))).click()
    browser.find_element(By.ID, "client_id_clientCredentials").send_keys(client_id)
    browser.find_element(By.ID, "client_secret_clientCredentials").send_keys(client_secret)
    oauth2_box = (
        "//input[@id='client_id_clientCredentials']/ancestor::div[contains(@class, 'auth-container')]"
    )
    browser.find_element(By.XPATH, oauth2_box + "//button[contains(@class, 'authorize')]").click()
    logout = "//div[contains(@class, 'modal-ux')]//button[normalize-space()='Logout']"
    wait.until(expected_conditions.presence_of_element_located((By.XPATH, logout)))
    browser.find_element(By.CSS_SELECTOR, ".modal-ux button.btn-done").click()

    operation = "#operations-timesheets-timesheets_create"
    browser.find_element(By.CSS_SELECTOR, operation).click()
    browser.find_element(By.CSS_SELECTOR, f"{operation} .try-out__btn").click()
    body = browser.find_element(By.CSS_SELECTOR, f"{operation} textarea.body-param__text")
    body.clear()
    body.click()  # the caret in the box
    # Pasted, as one input: typed key by key, Swagger UI draws the operation again at each.
    browser.execute_cdp_cmd("Input.insertText", {"text": json.dumps(SAMPLE_ENTRY)})
    assert json.loads(body.get_attribute("value")) == SAMPLE_ENTRY
    browser.find_element(By.CSS_SELECTOR, f"{operation} .execute").click()
    status = wait.until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, f"{operation} .live-responses-table tr.response .response-col_status")
        )
    )

    artifacts = PROJECT_DIR / "artifacts"
    artifacts.mkdir(exist_ok=True)
    screenshot = artifacts / "api-docs-after-201.png"
    # The curl example carries the bearer token: keep it out of the artifact.
    browser.execute_script(
        "document.querySelectorAll('.curl-command, .request-snippets').forEach(e => e.remove());"
        "arguments[0].scrollIntoView({block: 'center'});",
        status,
    )
    browser.save_screenshot(str(screenshot))
    with capsys.disabled():
        print(f"\nscreenshot of the API docs after the 201: {screenshot}")
    assert status.text.strip().startswith("201")
    assert Timesheet.objects.get().created_by == client_id


@pytest.fixture
def schema(transactional_db) -> dict:
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def test_authorize_offers_client_credentials_and_not_the_session_cookie(schema):
    assert list(schema["components"]["securitySchemes"]) == ["oauth2"]


def test_batch_shows_no_list_filters(schema):
    parameters = schema["paths"]["/timesheets/batch"]["post"].get("parameters", [])
    assert [parameter["name"] for parameter in parameters] == ["dry_run"]


def test_examples_are_the_scenario_entry(schema):
    create = schema["paths"]["/timesheets"]["post"]
    [example] = create["requestBody"]["content"]["application/json"]["examples"].values()
    assert example["value"] | SAMPLE_ENTRY == example["value"]
    [batch] = schema["paths"]["/timesheets/batch"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ].values()
    assert batch["value"] == [example["value"]]


def test_the_export_is_documented_as_csv_with_the_list_filters(schema):
    export = schema["paths"]["/timesheets/export"]["get"]
    # and, with ?format=xlsx, a workbook (docs/payroll.md)
    assert set(export["responses"]["200"]["content"]) == {"text/csv", export_module.XLSX_TYPE}
    assert {"totals", "format"} <= {p["name"] for p in export["parameters"]}
    assert {"user_id", "year", "week", "project", "approved"} <= {p["name"] for p in export["parameters"]}
    assert export["security"][0] == {"oauth2": ["read:timesheets"]}
