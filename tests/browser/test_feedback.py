"""Recipient feedback in real browsers: a clinician logs training and shares the link; three people with
no account answer on their phones; after the clinician closes it a fourth is refused; the lead and
the commissioner workbook show figures recomputed here from the response rows."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

ANSWERS = ([5, 4, 4, 5], [4, 4, 3, 5], [3, 5, 4, 4])


def _respond(browser: Any, url: str, values: list[int]) -> Any:
    """A respondent's own phone: a fresh context with no session and no cookie."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url)
    fieldsets = page.locator("[data-testid=feedback-form] fieldset")
    for index, value in enumerate(values):
        fieldsets.nth(index).locator("input[type=radio]").nth(value - 1).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#free_text", "Use the grounding exercise at handover")
    page.click("[data-testid=feedback-send]")
    page.wait_for_load_state("networkidle")
    return context, page


def _rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Read the live server's database directly (both databases), for the independent recomputation."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("live_server" if request.param == "sqlite" else "live_server_postgres")


def test_feedback_from_logging_to_the_dashboard_and_the_workbook(server: Any, browser: Any) -> None:
    live_server = server
    clinician = browser.new_context(viewport={"width": 1280, "height": 900})
    page = clinician.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, "clinician@example.org")
    page.goto(live_server.url + "/log")
    page.select_option("#activity_type_id", label="Training delivered to staff")
    page.fill("#duration", "90")
    page.fill("#people_reached", "8")
    page.check("#recipient_type_ids-0")
    page.click("[data-testid=save]")
    page.wait_for_load_state("networkidle")
    activity_id = page.locator("[data-testid=this-week] [data-testid=activity-row]").first.get_attribute(
        "data-activity-id"
    )
    page.goto(f"{live_server.url}/activities/{activity_id}/feedback")
    page.click("[data-testid=new-link]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=feedback-qr]").count() == 1
    url = page.locator("[data-testid=feedback-url]").inner_text()
    screenshot(page, "feedback-1-link-and-qr")

    for values in ANSWERS:
        context, respondent = _respond(browser, url, values)
        assert respondent.locator("[data-testid=feedback-thanks]").count() == 1
        # Only the duplicate-prevention nonce and the CSRF token's session: no sign-in, nothing else.
        assert {c["name"] for c in context.cookies()} <= {"iw_feedback", "iw_session", "__Host-session"}
        context.close()

    page.reload()
    page.click("[data-testid=close-link]")
    page.wait_for_load_state("networkidle")
    late = browser.new_context()
    late_page = late.new_page()
    response = late_page.goto(url)
    assert (
        response.status == 410
        and "closed" in late_page.locator("[data-testid=feedback-refused]").inner_text()
    )
    screenshot(late_page, "feedback-2-closed")
    late.close()

    answers = _rows(
        live_server.database_url,
        "SELECT a.question_code, a.value FROM feedback_answers a "
        "JOIN feedback_responses r ON r.id = a.response_id WHERE r.activity_id = :activity",
        activity=int(activity_id),
    )
    assert len({code for code, _ in answers}) == 4 and len(answers) == 12
    means = {code: sum(v for c, v in answers if c == code) / 3 for code, _ in answers}

    lead = browser.new_context(viewport={"width": 1280, "height": 900})
    lead_page = lead.new_page()
    sign_in(lead_page, live_server, "lead@example.org")
    lead_page.goto(f"{live_server.url}/activities/{activity_id}/feedback")
    assert lead_page.locator("[data-testid=first-responses]").inner_text() == "3 responses"
    for code, mean in means.items():
        assert lead_page.locator(f"[data-testid=mean-{code}]").inner_text() == f"{mean:.2f}"
    lead_page.goto(live_server.url + "/dashboard")
    lead_page.wait_for_load_state("networkidle")
    assert lead_page.locator("#impact").count() == 1
    screenshot(lead_page, "feedback-3-dashboard")
    lead.close()
    clinician.close()
    assert errors == []
    _check_workbook(live_server, browser, activity_id)


def _check_workbook(live_server: Any, browser: Any, activity_id: str) -> None:
    """The Impact sheet's training row: figures where 3+ clinicians and 3+ responses stand behind it."""
    (day, organisation_id) = _rows(
        live_server.database_url,
        "SELECT activity_on, organisation_id FROM activities WHERE id = :activity",
        activity=int(activity_id),
    )[0]
    first = date.fromisoformat(str(day)[:10]).replace(day=1)
    after = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
    month = first.strftime("%Y-%m")
    clinicians, responses = _rows(
        live_server.database_url,
        "SELECT COUNT(DISTINCT a.clinician_id), COUNT(DISTINCT r.id) FROM feedback_responses r "
        "JOIN activities a ON a.id = r.activity_id JOIN activity_types t ON t.id = a.activity_type_id "
        "JOIN activity_categories c ON c.id = t.category_id WHERE c.code = 'TRAINING' AND r.stage = 'first' "
        "AND a.deleted_at IS NULL AND a.activity_on >= :first AND a.activity_on < :after "
        "AND a.organisation_id = :organisation",
        first=first,
        after=after,
        organisation=organisation_id,
    )[0]
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, "commissioner@example.org")
    page.goto(live_server.url + "/commissioner-reports/")
    page.fill("#month", month)
    with page.expect_download() as info:
        page.click("[data-testid=download-workbook]")
    with open(info.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["Impact"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Teaching and training delivered")
    if clinicians >= 3 and responses >= 3:
        assert row[3] == int(responses / 5 + 0.5) * 5  # rounded to the nearest 5 like every figure
    else:
        assert row[1:5] == ("*",) * 4
    context.close()
