"""A clinician on a 360 px phone logs an MDT formulation about two patients, co-delivered with two
colleagues found by name, then sees it marked shared with both service requests."""

from __future__ import annotations

from tests.browser.conftest import screenshot, sign_in


def test_two_colleagues_and_two_service_requests_on_a_phone(live_server, phone_page):
    page = phone_page
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "clinician@example.org")
    page.goto(live_server.url + "/log")

    page.select_option("#activity_type_id", label="Team formulation about a named patient")
    page.fill("#duration", "1h")
    page.fill("#start_time", "13:47")
    page.fill("#service_request_id", "SR-PH-1")
    page.fill("#more_service_request_ids", "SR-PH-2")
    page.locator("#recipient_type_ids input[type=checkbox]").first.check()

    colleagues = page.locator("[data-testid=colleagues] .iw-colleague")
    assert colleagues.count() >= 2
    names = [colleagues.nth(i).locator("label").first.inner_text() for i in range(2)]
    search = page.locator("#co_deliverer_ids-search")
    assert search.is_visible()  # the search box appears only with JavaScript
    for index, name in enumerate(names):
        search.fill(name.split(" (")[0])
        match = page.locator("[data-testid=colleagues] .iw-colleague:visible", has_text=name).first
        match.locator("input[type=checkbox]").check()
        if index == 1:
            match.locator("input[name^=co_minutes_]").fill("45")
    search.fill("")
    page.keyboard.press("Enter")  # Enter in the search box filters, it does not submit
    assert "/log" in page.url and page.locator("[data-testid=flash-success]").count() == 0
    screenshot(page, "shared-phone-1-colleagues")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=flash-success]").count() == 1, page.locator("main").inner_text()[:1500]
    assert page.locator("[data-testid=flash-success]").inner_text().startswith("Saved:")
    top = page.locator("[data-testid=this-week] [data-testid=activity-row]").first
    text = top.inner_text()
    assert "Shared" in text and "SR-PH-1, SR-PH-2" in text

    top.locator("[data-testid=shared-part]").click()
    page.wait_for_load_state("networkidle")
    deliverers = page.locator("[data-testid=deliverer]")
    assert deliverers.count() == 2
    assert "45m" in page.locator("[data-testid=deliverer]", has_text=names[1].split(" (")[0]).inner_text()
    screenshot(page, "shared-phone-2-deliverers")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert console_errors == []
