"""Two-step verification in a real browser (Chromium, gunicorn, demo data): set-up, sign-in, phone width.

The page must work under the strict CSP: the QR code is a same-page ``data:`` image and nothing is
inline, so the browser console must stay free of errors.
"""

from __future__ import annotations

import re

import pyotp

from tests.browser.conftest import screenshot, sign_in

#: A demo clinician no other browser test signs in as (the live server is shared by the session).
EMAIL = "chloe.okafor@example.org"


def _console_errors(page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_set_up_two_step_then_sign_in_with_a_code(live_server, desktop_page, phone_page):
    page = desktop_page
    errors = _console_errors(page)
    sign_in(page, live_server, EMAIL)
    page.goto(live_server.url + "/account")
    page.click("[data-testid=mfa-set-up]")
    page.fill("#current_password", "demo-password-2026")
    page.click("[data-testid=mfa-start]")
    page.wait_for_load_state("networkidle")
    qr = page.locator("[data-testid=mfa-qr]")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: image is allowed by the CSP
    screenshot(page, "security-two-step-set-up")
    page.click("text=I cannot scan the code")
    secret = page.locator("[data-testid=mfa-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.click("[data-testid=mfa-confirm]")
    page.wait_for_load_state("networkidle")
    codes = re.findall(r"[a-z0-9]{5}-[a-z0-9]{5}", page.locator("[data-testid=recovery-codes]").inner_text())
    assert len(codes) == 10
    screenshot(page, "security-recovery-codes")

    page.click("text=Sign out")
    page.wait_for_load_state("networkidle")
    sign_in(page, live_server, EMAIL)
    assert page.url.endswith("/sign-in/code")
    page.fill("#code", codes[0])
    page.click("[data-testid=submit-code]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=signed-in-user]").count() == 1
    assert "9 recovery codes left" in page.goto(live_server.url + "/account").text()
    screenshot(page, "security-account")
    assert errors == []

    # The code step fits a 360 px phone without sideways scrolling.
    phone = phone_page
    sign_in(phone, live_server, EMAIL)
    assert phone.url.endswith("/sign-in/code")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "security-code-step-phone")
    phone.fill("#code", codes[1])
    phone.click("[data-testid=submit-code]")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-testid=signed-in-user]").count() == 1
