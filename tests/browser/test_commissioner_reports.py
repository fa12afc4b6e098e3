"""A demo commissioner picks a month on the Reports page and downloads the workbook in a real browser."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest

from indirect_work.reports.workbook import SHEETS
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_commissioner_checks_status_and_downloads_the_workbook(
    live_server: Any,
    desktop_page: Any,
    tmp_path: Any,
) -> None:
    page = desktop_page
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "commissioner@example.org")
    page.click("text=Commissioner reports")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Commissioner reports"
    month = page.input_value("#month")
    page.click("[data-testid=check-status]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=unlocked-warning], [data-testid=all-locked]").count() == 1
    assert "MHSDS extract" not in page.content()
    screenshot(page, "commissioner-reports")
    with page.expect_download() as info:
        page.click("[data-testid=download-workbook]")
    download = info.value
    assert download.suggested_filename == f"indirect-activity_RDM_{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)
    assert console_errors == []


def test_reports_page_on_a_phone(live_server: Any, phone_page: Any) -> None:
    page = phone_page
    sign_in(page, live_server, "admin@example.org")
    page.goto(live_server.url + "/commissioner-reports/")
    assert page.locator("[data-testid=download-mhsds]").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, "the page scrolls sideways on a phone"
    screenshot(page, "commissioner-reports-phone")
