"""A demo clinician on a 360 px phone: star a record, log from the favourite, see it, correct it."""

from __future__ import annotations

import time

from tests.browser.conftest import screenshot, sign_in

#: Interactions from the log page to a saved record when starting from a favourite.
FAVOURITE_INTERACTIONS = ["click the favourite", "type the duration", "press Enter to save"]


def test_clinician_logs_from_a_favourite_on_a_phone(live_server, phone_page):
    page = phone_page
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "clinician@example.org")
    assert "/log" in page.url  # the clinician's home
    screenshot(page, "capture-phone-1-log-page")

    # The demo has no favourites: star a recent record that is not patient-specific.
    page.goto(live_server.url + "/activities")
    row = page.locator("[data-testid=activity-row]").filter(has_not_text="Ref ").first
    row.locator("[data-testid=star]").click()
    page.wait_for_load_state("networkidle")
    assert "Added to your favourites" in page.locator("[data-testid=flash-success]").inner_text()

    page.goto(live_server.url + "/log")
    favourite = page.locator("[data-testid=favourite]").first
    favourite_label = favourite.inner_text().replace("★", "").replace("Favourite:", "").strip()
    started = time.monotonic()
    favourite.click()  # 1
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.id") == "duration"
    page.keyboard.type("1h 15m")  # 2
    screenshot(page, "capture-phone-2-favourite-prefilled")
    page.keyboard.press("Enter")  # 3
    page.wait_for_load_state("networkidle")
    elapsed = time.monotonic() - started
    banner = page.locator("[data-testid=flash-success]").inner_text()
    assert banner.startswith("Saved:") and "1h 15m" in banner and favourite_label.split(" (")[0] in banner
    top = page.locator("[data-testid=this-week] [data-testid=activity-row]").first
    assert "1h 15m" in top.inner_text()
    activity_id = top.get_attribute("data-activity-id")
    screenshot(page, "capture-phone-3-saved")
    print(
        f"\nLogging from a favourite: {len(FAVOURITE_INTERACTIONS)} interactions "
        f"({', '.join(FAVOURITE_INTERACTIONS)}), {elapsed:.2f} s in the browser"
    )

    # The page fits the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(live_server.url + "/activities?period=week")
    row = page.locator(f"[data-activity-id='{activity_id}']")
    assert "1h 15m" in row.inner_text()
    screenshot(page, "capture-phone-4-list")
    row.locator("[data-testid=edit]").click()
    page.wait_for_load_state("networkidle")
    page.fill("#duration", "50")
    page.fill("#note", "Corrected after checking my diary")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    assert "Changes saved" in page.locator("[data-testid=flash-success]").inner_text()
    row = page.locator(f"[data-activity-id='{activity_id}']")
    assert "50m" in row.inner_text() and "Corrected after checking my diary" in row.inner_text()
    screenshot(page, "capture-phone-5-edited")

    for path, name in (
        ("/activities/week", "capture-phone-6-week"),
        ("/activities/import", "capture-phone-7-import"),
    ):
        page.goto(live_server.url + path)
        screenshot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert console_errors == []


def test_errors_and_keyboard_only_entry_on_desktop(live_server, desktop_page):
    page = desktop_page
    sign_in(page, live_server, "clinician@example.org")
    page.goto(live_server.url + "/log")
    page.fill("#duration", "ninety")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    summary = page.locator("[data-testid=error-summary]")
    assert "Select the type of activity" in summary.inner_text() or "minutes or hours" in summary.inner_text()
    assert page.input_value("#duration") == "ninety"
    screenshot(page, "capture-desktop-errors")
    # Keyboard only: the error link moves focus to the field.
    page.locator("[data-testid=error-summary] a[href='#duration']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "duration"
