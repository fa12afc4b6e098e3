"""A demo user signs in through a real browser and sees the page shell."""

from tests.browser.conftest import screenshot, sign_in


def test_demo_clinician_signs_in_and_out(live_server, desktop_page):
    page = desktop_page
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "clinician@example.org")
    assert page.locator("[data-testid=signed-in-user]").inner_text() == "Ella Nguyen"
    screenshot(page, "foundation-signed-in")
    page.click("text=Sign out")
    page.wait_for_load_state("networkidle")
    assert "/sign-in" in page.url
    assert page.locator("[data-testid=flash-success]").inner_text() == "You have signed out."
    assert console_errors == []
