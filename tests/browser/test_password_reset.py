"""Forgotten password in a real browser: ask, read the email from the SMTP server, follow the link."""

from tests.browser.conftest import screenshot, sign_in
from tests.mailbox import link_in

EMAIL = "aisha.khan@example.org"  # a demo clinician no other browser test signs in as
NEW_PASSWORD = "a kettle of quiet herons"


def test_reset_the_password_from_the_emailed_link(live_server, desktop_page, smtp_server):
    page = desktop_page
    smtp_server.clear()
    page.goto(live_server.url + "/sign-in")
    page.click("[data-testid=forgotten-password]")
    page.fill("#email", EMAIL)
    page.click("[data-testid=send-reset]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=reset-sent]").is_visible()

    (message,) = [m for m in smtp_server.wait_for(1) if m["To"] == EMAIL]
    link = link_in(message)
    assert link.startswith(live_server.url + "/set-password/")

    page.goto(link)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#confirm_password", NEW_PASSWORD)
    screenshot(page, "password-reset-choose")
    page.click("[data-testid=save-password]")
    page.wait_for_load_state("networkidle")
    assert "/sign-in" in page.url

    sign_in(page, live_server, EMAIL, NEW_PASSWORD)
    assert page.locator("[data-testid=signed-in-user]").inner_text() == "Aisha Khan"

    page.goto(link)  # the link worked once
    assert "expired or has already been used" in page.content()
