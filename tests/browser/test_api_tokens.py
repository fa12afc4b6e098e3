"""Through gunicorn and a real browser: make a token on the account page, then use it as a script would.

This is the README's example end to end: create a token, post an activity, list activities, with
two gunicorn workers sharing the database. Screenshots: ``api-tokens-phone``, ``api-token-created-phone``
and ``api-docs-desktop`` in ``tests/screenshots/``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date

from tests.browser.conftest import screenshot, sign_in


def _call(server, token, method, path, body=None):
    request = urllib.request.Request(
        server.url + "/api/v1" + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_token_made_on_the_account_page_works_for_a_script(live_server, phone_page, desktop_page):
    errors = []
    for page in (phone_page, desktop_page):
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone_page, live_server, "clinician@example.org")
    phone_page.goto(live_server.url + "/account/api-tokens/")
    phone_page.fill("#name", "Warehouse loader")
    phone_page.select_option("#lifetime_days", "30")
    phone_page.fill("#current_password", "demo-password-2026")
    phone_page.click("[data-testid=create-token]")
    token = phone_page.locator("[data-testid=new-token]").inner_text().strip()
    assert token.startswith("iw_")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "api-token-created-phone")
    phone_page.goto(live_server.url + "/account/api-tokens/")
    assert "Warehouse loader" in phone_page.locator("[data-testid=token-table]").inner_text()
    assert token not in phone_page.content()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "api-tokens-phone")

    status, me = _call(live_server, token, "GET", "/me")
    assert status == 200 and me["email"] == "clinician@example.org"
    types = {t["code"]: t["id"] for t in _call(live_server, token, "GET", "/activity-types")[1]["items"]}
    recipient_list = _call(live_server, token, "GET", "/recipient-types")[1]["items"]
    recipients = {r["code"]: r["id"] for r in recipient_list}
    status, created = _call(
        live_server,
        token,
        "POST",
        "/activities",
        {
            "activity_type_id": types["CONSULT_TEAM"],
            "activity_on": date.today().isoformat(),
            "duration_minutes": 50,
            "team_id": me["clinician_team_ids"][0],
            "consultation_mechanism_code": "01",
            "recipient_type_ids": [recipients["WARD_STAFF"]],
            "people_reached": 5,
        },
    )
    assert status == 201, created
    status, listed = _call(live_server, token, "GET", "/activities?per_page=5")
    assert status == 200 and created["id"] in [a["id"] for a in listed["items"]]

    # The record is on the clinician's own web list too.
    phone_page.goto(live_server.url + "/activities")
    assert phone_page.locator("main").inner_text().count("Consultation to a team or service") >= 1

    desktop_page.goto(live_server.url + "/api/v1/docs")
    assert desktop_page.locator("h1").inner_text().startswith("Indirect Work API")
    screenshot(desktop_page, "api-docs-desktop")
    assert errors == []
