"""An admin adds an activity type in a real browser, a clinician uses it, the admin retires it."""

import pytest

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

LABEL = "Consultation to prison in-reach"


def type_options(page):
    return page.locator("#activity_type_id option").all_inner_texts()


def test_admin_adds_and_retires_an_activity_type(live_server, desktop_page, phone_page):
    admin, clinician = desktop_page, phone_page
    console_errors: list[str] = []
    for page in (admin, clinician):
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    # The admin adds a type to the Consultation category.
    sign_in(admin, live_server, "admin@example.org")
    admin.click('.nhsuk-header__navigation-link:text-is("Admin")')
    admin.click("text=Activity taxonomy")
    admin.click("[data-testid=add-type]")
    admin.select_option("#category_id", label="Consultation")
    admin.fill("#code", "consult_prison")
    admin.fill("#label", LABEL)
    admin.fill("#description", "Advice to prison mental health in-reach staff")
    admin.fill("#snomed_concept_id", "22298007")  # mistyped: the check digit is wrong
    admin.click("[data-testid=save]")
    assert "check digit is wrong" in admin.locator("[data-testid=error-summary]").inner_text()
    assert admin.input_value("#label") == LABEL
    screenshot(admin, "admin-type-error")
    admin.fill("#snomed_concept_id", "")
    admin.click("[data-testid=save]")
    admin.wait_for_load_state("networkidle")
    assert f"Activity type {LABEL} saved." in admin.locator("[data-testid=flash-success]").inner_text()
    assert admin.locator("[data-testid=type-CONSULT_PRISON]").is_visible()
    screenshot(admin, "admin-taxonomy-added")

    # The clinician sees it in the log form and records an activity with it.
    sign_in(clinician, live_server, "clinician@example.org")
    clinician.goto(live_server.url + "/log")
    assert LABEL in type_options(clinician)
    clinician.select_option("#activity_type_id", label=LABEL)
    clinician.fill("#duration", "45")
    clinician.locator("input[name=recipient_type_ids]").first.check()
    clinician.click("[data-testid=save]")
    clinician.wait_for_load_state("networkidle")
    assert f"Saved: {LABEL}" in clinician.locator("[data-testid=flash-success]").inner_text()
    screenshot(clinician, "admin-clinician-logs-new-type")

    # The admin retires it; it stays listed, marked retired and used by records.
    admin.click("[data-testid=retire-CONSULT_PRISON]")
    admin.wait_for_load_state("networkidle")
    row = admin.locator("[data-testid=type-CONSULT_PRISON]")
    assert "Retired" in row.inner_text() and "Used by records" in row.inner_text()
    assert row.locator("text=Delete").count() == 0
    screenshot(admin, "admin-taxonomy-retired")

    # Gone from the clinician's form, still on the record they logged.
    clinician.goto(live_server.url + "/log")
    assert LABEL not in type_options(clinician)
    clinician.goto(live_server.url + "/activities")
    assert clinician.locator("[data-testid=activity-row]", has_text=LABEL).count() == 1
    screenshot(clinician, "admin-retired-type-on-record")

    # The audit trail answers "who changed this?".
    admin.goto(live_server.url + "/admin/audit?action=activity_type")
    trail = admin.locator("[data-testid=audit-events]").inner_text()
    assert "activity_type.retire" in trail and "activity_type.create" in trail
    assert "admin@example.org" in trail
    screenshot(admin, "admin-audit-trail")
    # The only failed load is the refused form, answered 422 on purpose.
    assert [e for e in console_errors if "status of 422" not in e] == []


def test_admin_pages_fit_a_phone(live_server, phone_page):
    page = phone_page
    sign_in(page, live_server, "admin@example.org")
    for path in ("/admin/", "/admin/taxonomy", "/admin/people", "/admin/audit"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, f"{path} scrolls sideways on a phone"
    screenshot(page, "admin-audit-phone")


def test_admin_imports_people_from_csv(live_server, desktop_page):
    page = desktop_page
    sign_in(page, live_server, "admin@example.org")
    page.goto(live_server.url + "/admin/people/import")
    rows = (
        "email,full_name,organisation,clinician_teams,admin\n"
        "new.import@example.org,Nia Import,RDM,EIP,no\n"
        "broken@example.org,Broken Row,RDM,NO-SUCH-TEAM,no\n"
    )
    page.set_input_files(
        "#file", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    page.click("[data-testid=preview]")
    page.wait_for_load_state("networkidle")
    statuses = page.locator("[data-testid^=import-row-]").evaluate_all(
        "rows => rows.map(row => row.dataset.status)"
    )
    assert statuses == ["new", "error"]
    table = page.locator("[data-testid=import-rows]").inner_text()
    assert "RDM has no team with identifier NO-SUCH-TEAM" in table
    screenshot(page, "admin-import-preview")
    page.click("[data-testid=confirm-import]")
    page.wait_for_load_state("networkidle")
    assert "1 added" in page.locator("[data-testid=import-summary]").inner_text()
    screenshot(page, "admin-import-done")
