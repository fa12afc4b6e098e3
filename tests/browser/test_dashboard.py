"""A demo team lead opens the dashboard in a real browser and drills into one bar of a chart."""

import re

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

BAR_CENTRE = """canvas => {
  canvas.scrollIntoView({block: 'center'});
  const bar = globalThis.Chart.getChart(canvas).getDatasetMeta(0).data[0];
  const box = canvas.getBoundingClientRect();
  return {x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2};
}"""


def test_lead_opens_dashboard_and_drills_into_a_bar(live_server, desktop_page):
    page = desktop_page
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "lead@example.org")
    page.click("text=Team dashboard")
    page.wait_for_load_state("networkidle")
    assert re.search(r"/dashboard/teams/\d+$", page.url)
    assert page.locator("h1").inner_text() == "Early Intervention in Psychosis"
    page.wait_for_selector("canvas[data-iw-chart-ready=true]")
    assert page.locator("canvas[data-iw-chart-ready=true]").count() == 4
    activities = page.locator("[data-testid=figure-1]").inner_text()
    assert int(activities.replace(",", "")) > 0
    assert page.locator("[data-testid=completeness-table] tbody tr").count() > 0
    screenshot(page, "dashboard-lead")

    # The first bar of "Hours by category" is the first row of the table below it.
    first_row = page.locator("[data-testid=hours-by-category-table] tbody tr").first
    category = first_row.locator("th").inner_text()
    hours = first_row.locator("td").nth(1).inner_text()
    point = page.evaluate(BAR_CENTRE, page.locator("#hours-by-category-chart").element_handle())
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    page.wait_for_load_state("networkidle")
    assert "/records?" in page.url and "category=" in page.url
    assert page.locator("#category option:checked").inner_text() == category
    summary = page.locator("[data-testid=records-summary]").inner_text()
    assert f"{hours} hours" in summary
    assert page.locator("[data-testid=records-table] tbody tr").count() > 0
    screenshot(page, "dashboard-drill-down")
    assert console_errors == []


def test_dashboard_on_a_phone(live_server, phone_page):
    page = phone_page
    sign_in(page, live_server, "lead@example.org")
    page.goto(live_server.url + "/dashboard")
    page.wait_for_selector("canvas[data-iw-chart-ready=true]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, "the page scrolls sideways on a phone"
    screenshot(page, "dashboard-phone")
